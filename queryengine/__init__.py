"""Named PROV-ML questions and a SPARQL polystore over provenance and domain knowledge graphs.

Each question is a SPARQL file in ``queryengine/questions`` with a header naming its typed
parameters; ``ask`` binds validated parameters as RDF terms in a ``VALUES`` block and runs the query
on any store that has ``query`` (the manager's embedded, memory or remote SPARQL backends)::

    rows = ask("training-curve", store=store, run="6f1c...", measure="loss")
    rows[0]  # {'stage': ..., 'epoch': 0, 'measure': 'loss', 'value': 0.93, ...}

Domain knowledge graphs are attached by name (``attach_domain_graph``, ``register_endpoint``) and
joined with the provenance by the cross-graph questions. Answers name their IRIs: each column of
IRIs is followed by ``COLUMN_name`` (``with_names``), and a run, model or dataset parameter takes a
name where one node has it (``find_by_name``).
"""

from queryengine._catalogue import Question, catalogue, get_question, parse_question
from queryengine._engine import (
    DEFAULT_BASE_IRI,
    ask,
    bind,
    default_base_iri,
    run_question,
    run_view,
    sparql,
)
from queryengine._errors import (
    DomainGraphError,
    ParameterError,
    QueryEngineError,
    QuestionFileError,
    UnknownQuestionError,
    UnsupportedQuestionError,
)
from queryengine._lookup import find_by_name
from queryengine._names import describe_nodes, display_type, node_name, short_value, with_names
from queryengine._params import Parameter, mint
from queryengine._polystore import (
    attach_domain_graph,
    domain_graph_iri,
    domain_graphs,
    domain_iri,
    example_domain_graph,
    register_endpoint,
    registered_endpoints,
)
from queryengine._results import Rows, python_value, to_dataframe
from queryengine._store import DomainStore, QueryableStore
from queryengine._views import get_view, views

__all__ = [
    "DEFAULT_BASE_IRI",
    "DomainGraphError",
    "DomainStore",
    "Parameter",
    "ParameterError",
    "QueryEngineError",
    "QueryableStore",
    "Question",
    "QuestionFileError",
    "Rows",
    "UnknownQuestionError",
    "UnsupportedQuestionError",
    "ask",
    "attach_domain_graph",
    "bind",
    "catalogue",
    "default_base_iri",
    "describe_nodes",
    "display_type",
    "domain_graph_iri",
    "domain_graphs",
    "domain_iri",
    "example_domain_graph",
    "find_by_name",
    "get_question",
    "get_view",
    "mint",
    "node_name",
    "parse_question",
    "python_value",
    "register_endpoint",
    "registered_endpoints",
    "run_question",
    "run_view",
    "short_value",
    "sparql",
    "to_dataframe",
    "views",
    "with_names",
]

"""Named PROV-ML questions and a SPARQL polystore over provenance and domain knowledge graphs."""

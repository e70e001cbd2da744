"""Rule-assisted extraction from French news: a pure function of a document and the codebook.

* :mod:`.dates`, :mod:`.numbers`, :mod:`.fatalities` read dates, quantities and casualties;
* :mod:`.rules` loads and matches the rules of ``codebook/rules/`` (data, one file per rule);
* :mod:`.actors` and :mod:`.places` find actors (with their role) and places (with the geo
  precision their cue implies);
* :mod:`.assemble` turns hits and fields into one suggestion per (actors, place, day);
* :func:`.pipeline.extract` ties them together; :mod:`.rulecases` runs the rules' case files.

Nothing here reads or writes files except the explicit loaders (``load_rules``,
``load_case_files``): merging suggestions into annotation files is ``sahelevents.annotate``.
"""

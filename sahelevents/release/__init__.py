"""Dataset releases: accepted annotations -> versioned CSV, JSONL and Parquet with provenance.

Modules, in the order the data flows:

* :mod:`~sahelevents.release.members` - one annotation file -> the rows of its accepted
  events (every derived column, evidence offsets), a pure per-file function;
* :mod:`~sahelevents.release.cache` - those rows kept by content key between runs;
* :mod:`~sahelevents.release.compile` - all primary files (cached, parallel) -> release rows
  (``same_as`` merging);
* :mod:`~sahelevents.release.ids` - the event id ledger (stable ``MLI12`` ids);
* :mod:`~sahelevents.release.tables` - columns, types, CSV/JSONL/Parquet conventions;
* :mod:`~sahelevents.release.package` - datapackage.json, SHA256SUMS, CHANGELOG, README,
  CITATION.cff;
* :mod:`~sahelevents.release.publish` - assembling and writing a release atomically;
* :mod:`~sahelevents.release.diff`, :mod:`~sahelevents.release.load`,
  :mod:`~sahelevents.release.acled` - comparing, loading, and importing ACLED exports.

See ``docs/release-format.md`` for the format.
"""

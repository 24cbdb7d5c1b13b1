"""Trace importers: one module per format (otlp, sdk_json, attribute_set, langfuse) over a shared span
model (spans), one alias table of attribute names (semconv), the span-to-row mapping (mapping) and
the staging the loader reads (stage); `readers` lists them. Imported only when a file needs them
(they bring pyarrow for staging, which a CSV or Parquet load does not need)."""

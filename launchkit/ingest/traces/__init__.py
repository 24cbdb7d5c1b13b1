"""Trace importers: one module per format (otlp, sdk_json, otel_js, phoenix, attribute_set, langfuse)
over a shared span model (spans), one alias table of attribute names (semconv), the span-to-row
mapping (facts, fold, mapping, buffer), the staging the loader reads (stage) and the worker processes
that map a large file a share of its traces each (share, workers); `readers` lists them. Imported
only when a file needs them."""

"""Export: figures (render), tables (tables), models (snippet, structure, ONNX) and ZIP bundles.

Nothing here imports Streamlit; the app, ``python -m explorer export`` and the benchmarks share it.
"""

"""Models: specs, the activation registry, layers, blocks and networks. Imports torch only
(never analysis, figures, export, pandas, plotly or Streamlit).
"""

"""Figure builders: data in, plotly ``go.Figure`` out; the style (screen or slide) is always passed explicitly."""

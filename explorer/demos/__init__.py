"""Self-contained experiments behind the "Inside the blocks" pages: activations, SE channel weights, the
trained digits network, drop connect.
"""

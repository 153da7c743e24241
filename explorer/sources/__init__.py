"""Models users bring: timm and torchvision models by name, ONNX files, a factory in the user's environment.

Zoo models are built with ``pretrained=False`` (never downloading) on the meta device, so building
allocates no weights and counting allocates no activations; :mod:`explorer.sources.onnx` parses a
file's graph and never executes it.
"""

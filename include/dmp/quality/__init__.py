"""Data-quality gates between the pipeline's stages (Great Expectations)."""

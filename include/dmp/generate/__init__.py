"""Synthetic but realistic clickstream for demos, tests and benchmarks of the platform.

People with several cookies, lasting interests and heavy-tailed activity browse real news URLs
(UCI News Aggregator) or URLs built from a small vocabulary in three languages; some log in with
an email that a matching CRM file also holds. Output is reproducible to the byte from the seed.
"""

from dmp.generate.run import GenerateRequest, GenerateSummary, generate

__all__ = ["GenerateRequest", "GenerateSummary", "generate"]

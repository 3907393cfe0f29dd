"""Privacy requests: deleting a person everywhere, proving it, and keeping them out afterwards."""

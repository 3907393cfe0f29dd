"""The identity graph's nodes and edges: typed ids, one string per node.

A node is `type:id`, so a cookie and a customer number that happen to be the same text stay two
nodes. Types: `user` (a cookie or partner id of the clickstream), `email` (the SHA-256 of a
normalised email, never the email) and `customer` (a CRM customer id). An edge says two nodes
are one person and where we learnt it: a login (`login`), the CRM (`crm`) or a partner id-sync
(`sync`).
"""

from __future__ import annotations

USER = "user"
EMAIL = "email"
CUSTOMER = "customer"
NODE_TYPES = (USER, EMAIL, CUSTOMER)
SEPARATOR = ":"
LOGIN_EDGE = "login"
CRM_EDGE = "crm"
SYNC_EDGE = "sync"
EDGE_COLUMNS = ("src", "dst", "kind", "day")


def node(node_type: str, value: str) -> str:
    """The node of one id."""
    return f"{node_type}{SEPARATOR}{value}"


def split_node(text: str) -> tuple[str, str]:
    """(type, id) of a node."""
    node_type, _, value = text.partition(SEPARATOR)
    return node_type, value

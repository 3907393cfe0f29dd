"""Connected components of the identity graph on the driver, with scipy's sparse graph routines.

Up to `DMP_IDENTITY_LOCAL_MAX_EDGES` edges the graph fits in the driver's memory and scipy finds
its components in seconds; above it `dmp.identity.spark_components` does the same in Spark. Both
label a component with its smallest node id (string order), so their outputs compare directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

LABELS_COLUMNS = ("node", "component")


def local_components(edges: pd.DataFrame, nodes: pd.Series | None = None) -> pd.DataFrame:
    """(node, component) for every node of `edges` (columns src, dst) and of `nodes`."""
    extra = nodes if nodes is not None else pd.Series([], dtype=object)
    codes, uniques = pd.factorize(pd.concat([edges["src"], edges["dst"], extra], ignore_index=True))
    count = len(uniques)
    size = len(edges)
    src, dst = codes[:size], codes[size:2 * size]
    matrix = coo_matrix((np.ones(size, dtype=np.int8), (src, dst)), shape=(count, count))
    _, component = connected_components(matrix, directed=False)
    names = np.asarray(uniques, dtype=object)
    frame = pd.DataFrame({"node": names, "group": component})
    label = frame.groupby("group")["node"].transform("min")
    return pd.DataFrame({"node": names, "component": label.to_numpy()})

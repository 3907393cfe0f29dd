"""Identity resolution: the ids that are one person, their CRM record and consent.

Emails are normalised and hashed at the edge (`emails`), blocked values never make an edge
(`blocked`), the graph's connected components are found on the driver or in Spark (`components`,
`spark_components`) under caps (`config`, `resolve`), and each component gets a person id that
stays stable across days, merges and splits (`person_ids`). These are the identity stage's building
blocks; the stage itself (CRM input, person tables, privacy requests) is not wired into the daily
DAG yet.
"""

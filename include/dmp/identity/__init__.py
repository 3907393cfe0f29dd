"""Identity resolution: the ids that are one person, their CRM record and consent.

Emails are normalised and hashed at the edge (`emails`, `columns`; validation stages the hashes
of login emails, `crm` hashes the CRM's), blocked values never make an edge (`blocked`), the
graph (`graph`, `edges`: logins, id-syncs from `syncs`, the current CRM rows) has its connected
components found on the driver or in Spark (`components`, `spark_components`) under caps
(`config`, `resolve`), and each component gets a person id that stays stable across days, merges
and splits (`person_ids`). `stage` is the daily DAG's `identity` step, `publish` its
`publish_identity`; `profiles` builds persons and their interests, `scan` proves no raw email
was staged, `command` is `dmp persons`.
"""

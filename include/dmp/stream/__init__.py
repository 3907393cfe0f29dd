"""The real-time path: Kafka clickstream in micro-batches to the keyword index, sketches and live segments."""

"""Segments: definitions, daily evaluation over subjects, the gate, versioned publishing, exports, report."""

"""Audiences: who to target, and how many they are, from interests and keywords."""

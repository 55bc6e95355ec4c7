"""The region's vocabulary that several services share: AGS, topics, visibility."""

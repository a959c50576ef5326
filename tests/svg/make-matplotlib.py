"""Writes matplotlib-bars.svg: a small chart as matplotlib saves it (XML declaration, DOCTYPE
PUBLIC, RDF metadata, <style> element, clip paths). Run with matplotlib 3.11.2:
`pip install matplotlib==3.11.2 && python3 make-matplotlib.py`."""

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt

# Reproducible output: fixed ids, no date in the metadata, text kept as text.
plt.rcParams["svg.hashsalt"] = "bindery"
plt.rcParams["svg.fonttype"] = "none"

fig, ax = plt.subplots(figsize=(3, 2))
ax.bar(["ebb", "flood", "slack"], [3, 5, 1], color=["#4477aa", "#66ccee", "#228833"])
ax.set_title("Tides")
ax.set_ylabel("hours")
fig.tight_layout()
fig.savefig("matplotlib-bars.svg", metadata={"Date": None})

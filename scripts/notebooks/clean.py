"""Tidies an executed notebook before it is committed: joins the stream fragments a cell printed
into one output per stream, replaces the run's workspace path with a stable placeholder, and
drops per-cell execution timings. Usage: clean.py EXECUTED.ipynb OUT.ipynb WORKSPACE_PATH"""
import json
import sys

source, target, workspace = sys.argv[1:4]
placeholder = "/tmp/assay-walkthrough"


def text(value):
    return value if isinstance(value, str) else "".join(value)


with open(source, encoding="utf-8") as f:
    notebook = json.load(f)

for cell in notebook["cells"]:
    cell.get("metadata", {}).pop("execution", None)
    if cell["cell_type"] != "code":
        continue
    outputs = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            output["text"] = text(output["text"]).replace(workspace, placeholder)
            if outputs and outputs[-1]["output_type"] == "stream" and outputs[-1]["name"] == output["name"]:
                outputs[-1]["text"] += output["text"]
                continue
        outputs.append(output)
    for output in outputs:
        if output["output_type"] == "stream":
            output["text"] = output["text"].splitlines(keepends=True)
    cell["outputs"] = outputs

with open(target, "w", encoding="utf-8") as f:
    json.dump(notebook, f, indent=1, ensure_ascii=False)
    f.write("\n")

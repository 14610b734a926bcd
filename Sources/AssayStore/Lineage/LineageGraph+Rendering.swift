extension LineageGraph {
    /// Graphviz DOT: runs as boxes, artifacts as ellipses, edges in data-flow direction labelled
    /// with their roles. Deterministic: nodes and edges in sorted order.
    public func dot() -> String {
        var out = "digraph lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
        for n in nodes {
            let label: String
            switch n.type {
            case .artifact:
                var parts = [String(n.id.prefix(19))]
                if let k = n.kind { parts.append(k) }
                if let names = n.names, !names.isEmpty { parts.append(names.joined(separator: ", ")) }
                label = parts.joined(separator: "\n")
                out += "  \(quote(n.id)) [shape=ellipse, label=\(quote(label))\(n.id == root ? ", penwidth=2" : "")];\n"
            case .run:
                label = "\(n.operation ?? "?") v\(n.operationVersion ?? 0)\n\(n.id.prefix(13))\n\(n.status ?? "")"
                out += "  \(quote(n.id)) [shape=box, label=\(quote(label))\(n.id == root ? ", penwidth=2" : "")];\n"
            }
        }
        for e in edges {
            out += "  \(quote(e.from)) -> \(quote(e.to)) [label=\(quote(e.role))];\n"
        }
        out += "}\n"
        return out
    }

    /// An indented tree from the root, one line per node; a node reached twice is printed once
    /// and referred to as "(shown above)". Indentation stops growing at `maxIndent` levels (the
    /// depth is printed instead) so deep chains stay readable and linear in size.
    public func textLines(maxIndent: Int = 24) -> [String] {
        var children: [String: [(String, String)]] = [:]
        for e in edges {
            if direction == .up { children[e.to, default: []].append((e.from, e.role)) }
            else { children[e.from, default: []].append((e.to, e.role)) }
        }
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var lines: [String] = []
        var seen = Set<String>()
        // Explicit stack: lineage chains can be far deeper than the call stack.
        var stack: [(id: String, role: String?, level: Int)] = [(root, nil, 0)]
        while let (id, role, level) = stack.popLast() {
            let indent = String(repeating: "  ", count: min(level, maxIndent))
            let depthMark = level > maxIndent ? "[\(level)] " : ""
            let rolePart = role.map { "\($0): " } ?? ""
            guard let node = byID[id] else { continue }
            if seen.contains(id) {
                lines.append(indent + depthMark + rolePart + describe(node) + "  (shown above)")
                continue
            }
            seen.insert(id)
            lines.append(indent + depthMark + rolePart + describe(node))
            let kids = (children[id] ?? []).sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            for (child, r) in kids.reversed() { stack.append((child, r, level + 1)) }
        }
        return lines
    }

    private func describe(_ n: LineageNode) -> String {
        switch n.type {
        case .artifact:
            var text = "artifact \(n.id)"
            if let k = n.kind { text += "  \(k)" }
            if let s = n.size { text += "  \(s) B" }
            if let names = n.names, !names.isEmpty { text += "  [\(names.joined(separator: ", "))]" }
            return text
        case .run:
            return "run \(n.id)  \(n.operation ?? "?") v\(n.operationVersion ?? 0)  \(n.status ?? "?")  \(n.startedAt ?? "")"
        }
    }

    private func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

import Foundation

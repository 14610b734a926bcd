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
        var index: [String: Int] = [:]
        index.reserveCapacity(nodes.count)
        for (i, n) in nodes.enumerated() { index[n.id] = i }
        var children = [[(node: Int, role: String)]](repeating: [], count: nodes.count)
        for e in edges {
            guard let from = index[e.from], let to = index[e.to] else { continue }
            if direction == .up { children[to].append((from, e.role)) } else { children[from].append((to, e.role)) }
        }
        var lines: [String] = []
        lines.reserveCapacity(nodes.count)
        var seen = [Bool](repeating: false, count: nodes.count)
        guard let rootIndex = index[root] else { return lines }
        // Explicit stack: lineage chains can be far deeper than the call stack.
        var stack: [(node: Int, role: String?, level: Int)] = [(rootIndex, nil, 0)]
        while let (i, role, level) = stack.popLast() {
            var line = String(repeating: "  ", count: min(level, maxIndent))
            if level > maxIndent { line += "[\(level)] " }
            if let role { line += role + ": " }
            line += describe(nodes[i])
            if seen[i] {
                lines.append(line + "  (shown above)")
                continue
            }
            seen[i] = true
            lines.append(line)
            // Children in (role, id) order; pushed reversed so the first is printed first.
            let kids = children[i].sorted { $0.role != $1.role ? $0.role < $1.role : nodes[$0.node].id < nodes[$1.node].id }
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

extension LineageGraph {
    /// The graph as one canonical JSON document (sorted keys, no whitespace; the same fields as
    /// its `Codable` form), written directly: a lineage can hold hundreds of thousands of nodes.
    ///
    /// Node fields: `id`, `type`, `depth`; artifacts add `kind`, `names`, `size`; runs add
    /// `operation`, `operation_version`, `started_at`, `status`. Edges: `from`, `role`, `to`.
    public func canonicalJSON() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(nodes.count * 200 + edges.count * 180)
        func key(_ k: StaticString, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeRawBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        func string(_ s: String?) {
            if let s { JSONValue.writeCanonicalString(s, into: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        func integer<I: BinaryInteger>(_ i: I?) {
            if let i { out.append(contentsOf: String(i).utf8) } else { out.append(contentsOf: "null".utf8) }
        }
        // Keys in canonical (sorted) order at every level.
        out.append(UInt8(ascii: "{"))
        key("direction", first: true); string(direction.rawValue)
        key("edges"); out.append(UInt8(ascii: "["))
        for (i, e) in edges.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            key("from", first: true); string(e.from)
            key("role"); string(e.role)
            key("to"); string(e.to)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        key("nodes"); out.append(UInt8(ascii: "["))
        for (i, n) in nodes.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            key("depth", first: true); integer(n.depth)
            key("id"); string(n.id)
            switch n.type {
            case .artifact:
                key("kind"); string(n.kind)
                key("names"); out.append(UInt8(ascii: "["))
                for (j, name) in (n.names ?? []).enumerated() {
                    if j > 0 { out.append(UInt8(ascii: ",")) }
                    string(name)
                }
                out.append(UInt8(ascii: "]"))
                key("size"); integer(n.size)
                key("type"); string("artifact")
            case .run:
                key("operation"); string(n.operation)
                key("operation_version"); integer(n.operationVersion)
                key("started_at"); string(n.startedAt)
                key("status"); string(n.status)
                key("type"); string("run")
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        key("root"); string(root)
        out.append(UInt8(ascii: "}"))
        return out
    }
}

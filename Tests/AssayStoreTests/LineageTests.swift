import Foundation
import Testing
@testable import AssayStore
import _AssayTestSupport

@Suite struct LineageTests {
    let dir: TemporaryDirectory
    let ws: Workspace

    init() throws {
        dir = try TemporaryDirectory()
        ws = try Workspace.initialize(at: dir.file("ws"))
    }

    /// src ─► [derive] ─► mid ─► [derive] ─► leaf ; other ─► second derive too.
    func chain() throws -> (src: ArtifactID, other: ArtifactID, mid: ArtifactID, leaf: ArtifactID, r1: RunID, r2: RunID) {
        let src = try ws.add(fileAt: try dir.write("src", "src")).artifact.id
        let other = try ws.add(fileAt: try dir.write("other", "other")).artifact.id
        let run1 = try ws.beginRun(Recipe(operation: "derive", operationVersion: 1, inputs: [RunArtifact(role: "source", id: src)]))
        let mid = try run1.addOutput(bytes: Array("mid".utf8), role: "out", kind: "blob")
        let i1 = try run1.commit()
        let run2 = try ws.beginRun(Recipe(operation: "derive", operationVersion: 1,
                                          inputs: [RunArtifact(role: "source", id: mid), RunArtifact(role: "extra", id: other)]))
        let leaf = try run2.addOutput(bytes: Array("leaf".utf8), role: "out", kind: "blob")
        let i2 = try run2.commit()
        return (src, other, mid, leaf, i1.id, i2.id)
    }

    @Test func upWalksToTheSources() throws {
        let c = try chain()
        let g = try ws.lineage(of: .artifact(c.leaf), direction: .up)
        let ids = Set(g.nodes.map(\.id))
        #expect(ids.contains(c.src.rawValue) && ids.contains(c.other.rawValue) && ids.contains(c.mid.rawValue))
        #expect(ids.contains(c.r1.rawValue) && ids.contains(c.r2.rawValue))
        // 2 derive runs + 2 import runs, 4 artifacts.
        #expect(g.nodes.filter { $0.type == .run }.count == 4)
        #expect(g.nodes.filter { $0.type == .artifact }.count == 4)
        #expect(g.nodes.first?.id == c.leaf.rawValue && g.nodes.first?.depth == 0)
        #expect(g.nodes.first { $0.id == c.src.rawValue }?.depth == 4)
        #expect(g.edges.contains(LineageEdge(from: c.mid.rawValue, to: c.r2.rawValue, role: "source")))
        #expect(g.edges.contains(LineageEdge(from: c.r2.rawValue, to: c.leaf.rawValue, role: "out")))
        #expect(g.edges.contains(LineageEdge(from: c.other.rawValue, to: c.r2.rawValue, role: "extra")))
    }

    @Test func downWalksToTheResults() throws {
        let c = try chain()
        let g = try ws.lineage(of: .artifact(c.src), direction: .down)
        #expect(Set(g.nodes.map(\.id)) == [c.src.rawValue, c.r1.rawValue, c.mid.rawValue, c.r2.rawValue, c.leaf.rawValue])
        #expect(g.edges.contains(LineageEdge(from: c.src.rawValue, to: c.r1.rawValue, role: "source")))
        #expect(g.edges.contains(LineageEdge(from: c.r1.rawValue, to: c.mid.rawValue, role: "out")))
        let limited = try ws.lineage(of: .artifact(c.src), direction: .down, depth: 2)
        #expect(Set(limited.nodes.map(\.id)) == [c.src.rawValue, c.r1.rawValue, c.mid.rawValue])
        let fromRun = try ws.lineage(of: .run(c.r2), direction: .down)
        #expect(Set(fromRun.nodes.map(\.id)) == [c.r2.rawValue, c.leaf.rawValue])
    }

    @Test func diamondsAreVisitedOnce() throws {
        let src = try ws.add(fileAt: try dir.write("src", "src")).artifact.id
        var mids: [ArtifactID] = []
        for i in 0..<3 {
            let r = try ws.beginRun(Recipe(operation: "split", operationVersion: 1, parameters: ["i": JSONValue(i)], inputs: [RunArtifact(role: "source", id: src)]))
            mids.append(try r.addOutput(bytes: Array("m\(i)".utf8), role: "out", kind: "blob"))
            try r.commit()
        }
        let join = try ws.beginRun(Recipe(operation: "join", operationVersion: 1, inputs: mids.enumerated().map { RunArtifact(role: "part\($0.offset)", id: $0.element) }))
        let out = try join.addOutput(bytes: Array("joined".utf8), role: "out", kind: "blob")
        try join.commit()
        let g = try ws.lineage(of: .artifact(out), direction: .up)
        #expect(g.nodes.count == Set(g.nodes.map(\.id)).count)
        #expect(g.nodes.filter { $0.id == src.rawValue }.count == 1)
        let text = g.textLines()
        #expect(text.filter { $0.contains("(shown above)") }.count >= 2, "\(text)")
        let dot = g.dot()
        #expect(dot.hasPrefix("digraph lineage {"))
        #expect(dot.components(separatedBy: " -> ").count - 1 == g.edges.count)
    }

    @Test func deepChainsRenderWithoutRecursion() throws {
        var current = try ws.add(fileAt: try dir.write("src", "src")).artifact.id
        for i in 0..<300 {
            let r = try ws.beginRun(Recipe(operation: "step", operationVersion: 1, parameters: ["i": JSONValue(i)], inputs: [RunArtifact(role: "in", id: current)]))
            current = try r.addOutput(bytes: Array("step \(i)".utf8), role: "out", kind: "blob")
            try r.commit()
        }
        let g = try ws.lineage(of: .artifact(current), direction: .up)
        #expect(g.nodes.count == 602)
        let lines = g.textLines(maxIndent: 8)
        #expect(lines.count == 602)
        #expect(lines.last?.contains("[601]") == true)
        #expect(lines.allSatisfy { $0.prefix { $0 == " " }.count <= 16 })
    }
}

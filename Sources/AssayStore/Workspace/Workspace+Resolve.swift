import Foundation
import AssayCrypto
internal import GRDB

/// What a user-typed reference points at.
public enum ResolvedReference: Sendable, Hashable {
    case artifact(ArtifactID)
    case run(RunID)
}

extension Workspace {
    /// Resolves a reference typed by a user, in this order:
    /// 1. a full artifact id or run id;
    /// 2. a name (`model:digits-mlp@v2`);
    /// 3. a unique prefix of an artifact id (`sha256:ab12…` or `ab12…`, at least 4 hex digits) or
    ///    of a run id (at least 4 characters), as git resolves abbreviated commits.
    ///
    /// - Throws: ``StoreError/unknownReference(_:)`` or ``StoreError/ambiguousReference(_:candidates:)``.
    public func resolve(_ reference: String) throws(StoreError) -> ResolvedReference {
        let ref = reference.trimmingCharacters(in: .whitespaces)
        if ArtifactID.isValid(ref) {
            let id = try ArtifactID(ref)
            guard try artifact(id) != nil else { throw .unknownReference(reference) }
            return .artifact(id)
        }
        if let runID = RunID(validating: ref) {
            let exists = try database.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM run WHERE id = ?)", arguments: [runID.rawValue])! }
            guard exists else { throw .unknownReference(reference) }
            return .run(runID)
        }
        if let named = try lookupName(ref) { return .artifact(named) }

        var hexPart = Substring(ref)
        if hexPart.hasPrefix(ArtifactID.scheme) { hexPart = hexPart.dropFirst(ArtifactID.scheme.count) }
        let lower = hexPart.lowercased()
        guard lower.count >= 4, lower.utf8.allSatisfy({ Hex.isHexOrDash($0) }) else { throw .unknownReference(reference) }
        let candidates: [String] = try database.read { db in
            var found: [String] = []
            if !lower.contains("-") {
                let lo = ArtifactID.scheme + lower
                found += try String.fetchAll(db, sql: "SELECT id FROM artifact WHERE id >= ? AND id < ? ORDER BY id LIMIT 11",
                                             arguments: [lo, lo + "~"])
            }
            if !ref.hasPrefix(ArtifactID.scheme) {
                found += try String.fetchAll(db, sql: "SELECT id FROM run WHERE id >= ? AND id < ? ORDER BY id LIMIT 11",
                                             arguments: [lower, lower + "~"])
            }
            return found
        }
        guard let first = candidates.first else { throw .unknownReference(reference) }
        if candidates.count > 1 { throw .ambiguousReference(reference, candidates: candidates) }
        if ArtifactID.isValid(first) { return .artifact(try ArtifactID(first)) }
        guard let runID = RunID(validating: first) else { throw .database("malformed run id in lineage: \(first)") }
        return .run(runID)
    }

    /// Resolves a reference that must name an artifact.
    public func resolveArtifact(_ reference: String) throws(StoreError) -> ArtifactID {
        switch try resolve(reference) {
        case .artifact(let id): return id
        case .run: throw .wrongKind(reference: reference, expected: "artifact", actual: "run")
        }
    }

    /// Resolves a reference that must name a run.
    public func resolveRun(_ reference: String) throws(StoreError) -> RunID {
        switch try resolve(reference) {
        case .run(let id): return id
        case .artifact: throw .wrongKind(reference: reference, expected: "run", actual: "artifact")
        }
    }
}


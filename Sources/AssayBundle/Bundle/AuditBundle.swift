import AssayCrypto
import AssayStore
import Foundation

/// Signed audit bundles: everything behind a run or an alert in one gzip-compressed pax tar that
/// anyone can check with `tar`, `sha256sum` and `openssl` (see <doc:AuditBundles>).
public enum AuditBundle {
    /// The manifest format this code writes and reads.
    public static let format = "assay.bundle.v1"
    /// The in-toto predicate type of the attestation.
    public static let predicateType = "https://assay.dev/attestation/bundle/v1"

    /// What a bundle is about: a run, or an alert of a replay run.
    public struct Subject: Sendable {
        public enum Kind: String, Sendable { case run, alert }
        public var kind: Kind
        /// The run id, or the alert's artifact id.
        public var id: String
        public var run: RunInfo

        /// The manifest's `subject` member.
        var json: JSONValue {
            .object([
                "type": .string(kind.rawValue), "id": .string(id), "run": .string(run.id.rawValue),
                "operation": .string(run.operation), "operation_version": JSONValue(run.operationVersion),
                "recipe_digest": .string(run.recipeDigest),
            ])
        }
    }

    /// Resolves what `reference` names: a run id (or prefix), or an alert's id (or prefix).
    public static func subject(_ reference: String, in workspace: Workspace) throws -> Subject {
        switch try workspace.resolve(reference) {
        case .run(let id):
            guard let run = try workspace.run(id) else { throw StoreError.unknownReference(reference) }
            guard run.status == .succeeded else {
                throw BundleError(what: reference, problem: "run \(id) failed; only succeeded runs are exported", fix: "Export a run that succeeded.")
            }
            return Subject(kind: .run, id: id.rawValue, run: run)
        case .artifact(let id):
            guard let alert = try workspace.alerts(id: id).first, let run = try workspace.run(alert.run) else {
                let kind = (try? workspace.artifact(id))??.kind ?? "?"
                throw BundleError(what: reference, problem: "is a \(kind) artifact; a bundle is made for a run or an alert",
                                  fix: "Pass a run id (see `assay log`) or an alert (see `assay alerts`).")
            }
            return Subject(kind: .alert, id: id.rawValue, run: run)
        }
    }
}

/// A bundle that cannot be made or read as asked.
public struct BundleError: CategorizedError, Sendable {
    public var what: String
    public var problem: String
    public var fix: String
    public var category: ErrorCategory { .usage }
    public var description: String { "\(what): \(problem). \(fix)" }
}

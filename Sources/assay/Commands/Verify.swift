import ArgumentParser
import AssayBundle
import AssayCrypto
import AssayStore
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a signed audit bundle.",
        discussion: """
            Reads the bundle as untrusted input (absolute paths, `..`, links, devices, \
            duplicate entries and decompression bombs are refused), checks the manifest's \
            Ed25519 signature, that the manifest lists every file and nothing else with the right \
            SHA-256 and size, the attestation's DSSE signature and statement, and SHA256SUMS, then \
            prints the subject. Needs no workspace.

            Exit code 0 only when everything checks out, 1 naming each failure.

            Examples:
              assay verify alert.tar.gz --pubkey signing.pub.pem
              assay verify alert.tar.gz --pubkey signing.pub.pem --json
            """)

    @Argument(help: "The bundle (.tar.gz).")
    var bundle: String

    @Option(help: ArgumentHelp("The signer's Ed25519 public key (SPKI PEM).", valueName: "PUB.pem"))
    var pubkey: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: bundle) else { throw BundleCommandError("\(bundle): no such file.") }
        let key = try Ed25519PublicKey(pem: try Export.readKey(pubkey))
        let v = AuditBundle.verify(bundle: bundle, key: key)
        if json {
            Output.bytes(try JSONValue.object([
                "valid": .bool(v.valid), "problems": .array(v.problems.map(JSONValue.string)), "checks": .array(v.checks.map(JSONValue.string)),
                "subject": v.subject ?? .null, "files": JSONValue(v.files), "key_id": .string(v.keyID),
            ]).canonicalBytes() + [0x0a])
        } else {
            if let s = v.subject {
                Output.line("subject: \(s["type"]?.stringValue ?? "?") \(s["id"]?.stringValue ?? "?") (run \(s["run"]?.stringValue ?? "?"), \(s["operation"]?.stringValue ?? "?"), recipe \(s["recipe_digest"]?.stringValue ?? "?"))")
            }
            for c in v.checks { Output.line("ok: \(c)") }
            for p in v.problems { Output.line("FAILED: \(p)") }
            Output.line(v.valid ? "bundle verified: \(bundle)" : "bundle NOT verified: \(bundle) (\(v.problems.count) problem\(v.problems.count == 1 ? "" : "s"))")
        }
        Output.flush()
        if !v.valid { throw CommandExit(code: 1) }
    }
}

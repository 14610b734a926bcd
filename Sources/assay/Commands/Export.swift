import ArgumentParser
import AssayBundle
import AssayCrypto
import AssayStore
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a signed audit bundle of a run, a replay or an alert.",
        discussion: """
            Writes one gzip-compressed tar with everything behind the subject: the lineage \
            upstream of it (Assay JSON and W3C PROV-JSON, every run's record), its JSON results, \
            its input and output artifacts (only their digests with --no-data, for traffic with \
            personal data), an in-toto attestation in a DSSE envelope, SHA256SUMS, manifest.json \
            and its Ed25519 signature, and VERIFY.txt with the commands to check it using tar, \
            openssl and sha256sum alone. Exporting the same subject with the same key twice \
            gives the same bytes.

            Examples:
              assay export 5c1e0a9b --key signing.pem -o alert.tar.gz
              assay export 01a2132f-2dc6-791f-bb8b-6c2971922706 --key signing.pem -o replay.tar.gz --no-data
            """)

    @Argument(help: "A run (any recorded run, such as a replay) or an alert: id or unique prefix.")
    var subject: String

    @Option(help: ArgumentHelp("The Ed25519 private key (PKCS#8 PEM).", valueName: "KEY.pem"))
    var key: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The bundle to write (.tar.gz).", valueName: "FILE"))
    var output: String

    @Flag(help: "Leave the artifacts' bytes out (their digests and sizes stay in artifacts/index.json).")
    var noData = false

    @OptionGroup var options: WorkspaceOptions

    func run() throws {
        let ws = try options.open()
        let privateKey = try Ed25519PrivateKey(pem: try Export.readKey(key))
        let what = try AuditBundle.subject(subject, in: ws)
        let r = try AuditBundle.export(what, in: ws, key: privateKey, to: output, includeData: !noData)
        if options.json {
            Output.bytes(try JSONValue.object([
                "bundle": .string(r.path), "sha256": .string(r.sha256), "size": JSONValue(r.size), "files": JSONValue(r.files),
                "subject": .object(["type": .string(r.subject.kind.rawValue), "id": .string(r.subject.id), "run": .string(r.subject.run.id.rawValue)]),
                "key_id": .string(r.keyID), "data": .bool(!noData),
            ]).canonicalBytes() + [0x0a])
        } else {
            Output.line("\(r.path): \(r.files) files, \(Output.size(r.size)), sha256 \(r.sha256)")
            Output.line("subject: \(r.subject.kind.rawValue) \(r.subject.id) (run \(r.subject.run.id), \(r.subject.run.operation))")
            Output.line("signed with key \(r.keyID)\(noData ? "; artifacts' bytes left out" : "")")
        }
        Output.flush()
    }

    static func readKey(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BundleCommandError("\(path): cannot be read. Pass a key made by `assay keygen` or `openssl genpkey -algorithm ed25519`.")
        }
        return [UInt8](data)
    }
}

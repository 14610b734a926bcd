import Foundation
import Testing
import _AssayTestSupport

/// A second, independent check of audit bundles with the in-toto reference implementation
/// (in-toto, securesystemslib and the in-toto attestation framework, installed into a virtual
/// environment outside git by `scripts/intoto/setup-venv.sh`; set `ASSAY_INTOTO_VENV` to reuse
/// one): `scripts/intoto/verify_bundle.py` verifies the DSSE envelope of
/// `attestation.intoto.jsonl` with the public key and checks the Statement's subjects against the
/// files of the bundle. Skipped when python3 is not on PATH.
@Suite(.serialized) struct InTotoInteropTests: CLIWorkspaceSuite {
    let workspace: CLIWorkspace

    init() throws {
        workspace = try CLIWorkspace()
    }

    static var pythonOnPath: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }
    }

    func require(_ r: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(r.status == 0, "\(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
    }


    @Test(.enabled(if: pythonOnPath, "python3 is not on PATH: the in-toto reference implementation cannot be installed"))
    func bundlesVerifyWithTheInTotoReferenceImplementation() throws {
        let started = Date()
        let venv = ProcessInfo.processInfo.environment["ASSAY_INTOTO_VENV"] ?? (NSTemporaryDirectory() + "assay-intoto-venv")
        let scripts = AssayBinary.packageRoot + "/scripts/intoto"
        let setup = try ChildProcess.run("/bin/bash", [scripts + "/setup-venv.sh", venv])
        try #require(setup.status == 0, "venv setup failed: \(setup.stderr)")
        let python = setup.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let venvSeconds = Date().timeIntervalSince(started)

        func check(_ bundle: String, _ pub: String) throws -> (status: Int32, doc: [String: Any], output: String) {
            let r = try ChildProcess.run(python, [scripts + "/verify_bundle.py", bundle, pub])
            let line = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let doc = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
            #expect(!line.contains("\n"), "one line of JSON: \(r.stdout)")
            return (r.status, doc, r.stdout + r.stderr)
        }
        func tamper(_ bundle: String, _ mode: String) throws -> String {
            let out = dir.file("\(mode).tar.gz")
            try require(try ChildProcess.run(python, [scripts + "/tamper_bundle.py", bundle, out, mode]))
            return out
        }

        let id = try makeAlert(seed: 11)
        let key = dir.file("k.pem"), pub = dir.file("k.pub.pem")
        try require(try AssayBinary.run(["keygen", "-o", key]))
        let bundle = dir.file("alert.tar.gz")
        try require(try assay(["export", id, "--key", key, "-o", bundle]))
        let keyID = try #require(try json(try AssayBinary.run(["verify", bundle, "--pubkey", pub, "--json"]))["key_id"] as? String)

        // The bundle verifies: the envelope's signature with the key, and every file but the
        // manifest, its signature, SHA256SUMS and the attestation itself is a subject.
        let ok = try check(bundle, pub)
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.doc["verified"] as? Bool == true, "\(ok.output)")
        let listed = try ChildProcess.run("/usr/bin/env", ["tar", "-tzf", bundle])
        try require(listed)
        let files = listed.stdout.split(separator: "\n").filter { !$0.hasSuffix("/") }
        #expect(ok.doc["subjects"] as? Int == files.count - 4, "\(ok.output)")
        let envelopeKeyID = try #require(ok.doc["keyid"] as? String)
        #expect(envelopeKeyID == keyID, "the envelope's keyid is Assay's (SHA-256 of the raw public key)")

        // A bundle signed with another key does not verify with this one (and does with its own).
        let other = dir.file("other.pem")
        try require(try AssayBinary.run(["keygen", "-o", other]))
        let otherBundle = dir.file("other.tar.gz")
        try require(try assay(["export", id, "--key", other, "-o", otherBundle]))
        let wrongKey = try check(otherBundle, pub)
        #expect(wrongKey.status == 1, "\(wrongKey.output)")
        #expect(wrongKey.doc["verified"] as? Bool == false)
        #expect((wrongKey.doc["reason"] as? String)?.contains("no signature in the envelope verifies") == true, "\(wrongKey.output)")
        #expect(try check(otherBundle, dir.file("other.pub.pem")).status == 0)

        // One byte of attestation.intoto.jsonl changed (inside the base64 payload).
        let flipped = try check(try tamper(bundle, "flip-attestation"), pub)
        #expect(flipped.status == 1, "\(flipped.output)")
        #expect((flipped.doc["reason"] as? String)?.contains("no signature in the envelope verifies") == true, "\(flipped.output)")
        // An artifact changed, a file no subject names, a symbolic link.
        let changed = try check(try tamper(bundle, "change-artifact"), pub)
        #expect(changed.status == 1 && (changed.doc["reason"] as? String)?.contains("the Statement says") == true, "\(changed.output)")
        let extra = try check(try tamper(bundle, "add-file"), pub)
        #expect(extra.status == 1 && (extra.doc["reason"] as? String)?.contains("extra.txt") == true, "\(extra.output)")
        let link = try check(try tamper(bundle, "add-symlink"), pub)
        #expect(link.status == 1 && (link.doc["reason"] as? String)?.contains("refused") == true, "\(link.output)")

        print("in-toto interop: venv ready in \(String(format: "%.1f", venvSeconds)) s, test \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}

import Foundation
import Testing
import _AssayTestSupport

/// `assay keygen`, `assay export` and `assay verify` through the binary, and the bundle checked
/// with stock tools exactly as its VERIFY.txt says.
@Suite struct BundleCommandTests: CLIWorkspaceSuite {
    let workspace: CLIWorkspace

    init() throws {
        workspace = try CLIWorkspace()
    }

    func require(_ r: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(r.status == 0, "\(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
    }


    func sh(_ script: String, in directory: String) throws -> ProcessResult {
        try ChildProcess.run("/bin/bash", ["-c", "cd \(directory) && " + script])
    }

    @Test func keygenExportVerifyAndStockTools() throws {
        let id = try makeAlert(seed: 3)
        let key = dir.file("signing.pem")
        let made = try AssayBinary.run(["keygen", "-o", key, "--json"])
        try require(made)
        #expect(try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int == 0o600)
        #expect(FileManager.default.fileExists(atPath: dir.file("signing.pub.pem")))
        let again = try AssayBinary.run(["keygen", "-o", key])
        #expect(again.status == 2 && again.stderr.contains("never overwrites"), "\(again.stderr)")

        let bundle = dir.file("alert.tar.gz")
        try require(try assay(["export", id, "--key", key, "-o", bundle]))
        let second = dir.file("alert2.tar.gz")
        try require(try assay(["export", String(id.prefix(16)), "--key", key, "-o", second]))
        #expect(FileManager.default.contents(atPath: bundle) == FileManager.default.contents(atPath: second))

        let ok = try AssayBinary.run(["verify", bundle, "--pubkey", dir.file("signing.pub.pem"), "--json"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        let doc = try json(ok)
        #expect(doc["valid"] as? Bool == true)
        #expect((doc["subject"] as? [String: Any])?["id"] as? String == id)

        // Stock tools, as VERIFY.txt says.
        let out = dir.file("unpacked")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        let pub = dir.file("signing.pub.pem")
        try require(try sh("tar -xzf \(bundle) -C \(out)", in: dir.path))
        let sig = try sh("openssl pkeyutl -verify -pubin -inkey \(pub) -rawin -in manifest.json -sigfile manifest.json.sig", in: out)
        #expect(sig.status == 0 && sig.stdout.contains("Signature Verified Successfully"), "\(sig.stdout)\(sig.stderr)")
        let listed = try sh(#"grep -q "\"path\":\"SHA256SUMS\",\"sha256\":\"$(sha256sum SHA256SUMS | cut -d' ' -f1)\"" manifest.json && echo ok"#, in: out)
        #expect(listed.stdout.hasPrefix("ok"), "\(listed.stdout)\(listed.stderr)")
        let sums = try sh("sha256sum -c SHA256SUMS", in: out)
        #expect(sums.status == 0 && !sums.stdout.contains("FAILED"), "\(sums.stdout)\(sums.stderr)")
        let extra = try sh(#"find . -type f ! -name manifest.json ! -name manifest.json.sig ! -name SHA256SUMS | sed 's|^\./||' | sort | diff - <(cut -c67- SHA256SUMS | sort)"#, in: out)
        #expect(extra.status == 0 && extra.stdout.isEmpty, "\(extra.stdout)\(extra.stderr)")
        let verifyText = try String(contentsOfFile: out + "/VERIFY.txt", encoding: .utf8)
        #expect(verifyText.contains("openssl pkeyutl -verify -pubin -inkey PUB.pem -rawin -in manifest.json -sigfile manifest.json.sig"))

        // A changed file in the unpacked copy: sha256sum -c catches it too.
        let artifact = try #require(try FileManager.default.contentsOfDirectory(atPath: out + "/artifacts/sha256").first)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: out + "/artifacts/sha256/" + artifact))
        #expect(try sh("sha256sum -c --quiet SHA256SUMS", in: out).status != 0)

        // The private key is nowhere: not in the bundle, the workspace's blobs or the lineage.
        let pem = try String(contentsOfFile: key, encoding: .utf8)
        let secret = try #require(pem.split(separator: "\n").first { !$0.hasPrefix("-----") }).trimmingCharacters(in: .whitespaces)
        let der = try #require(Data(base64Encoded: secret))
        let seed = der.suffix(32)
        for root in [out, ws] {
            let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
            for f in files {
                guard let data = FileManager.default.contents(atPath: root + "/" + f) else { continue }
                #expect(data.range(of: Data(secret.utf8)) == nil && data.range(of: seed) == nil, "key material in \(root)/\(f)")
            }
        }
    }

    @Test func badKeysSubjectsAndBundles() throws {
        let id = try makeAlert(seed: 3)
        let key = dir.file("k.pem")
        try require(try AssayBinary.run(["keygen", "-o", key]))
        let bundle = dir.file("b.tar.gz")
        try require(try assay(["export", id, "--key", key, "-o", bundle]))

        let other = dir.file("other.pem")
        try require(try AssayBinary.run(["keygen", "-o", other]))
        let wrong = try AssayBinary.run(["verify", bundle, "--pubkey", dir.file("other.pub.pem")])
        #expect(wrong.status == 1, "\(wrong.stdout)\(wrong.stderr)")
        #expect(wrong.stdout.contains("FAILED: manifest.json.sig"))

        let garbage = try dir.write("garbage.tar.gz", "not an archive")
        let g = try AssayBinary.run(["verify", garbage, "--pubkey", dir.file("k.pub.pem")])
        #expect(g.status == 1 && g.stdout.contains("the archive is refused"), "\(g.stdout)\(g.stderr)")
        #expect(try AssayBinary.run(["verify", dir.file("absent.tar.gz"), "--pubkey", dir.file("k.pub.pem")]).status == 2)
        let notAKey = try dir.write("bad.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        #expect(try assay(["export", id, "--key", notAKey, "-o", dir.file("x.tar.gz")]).status == 2)
        #expect(try assay(["export", id, "--key", dir.file("k.pub.pem"), "-o", dir.file("x.tar.gz")]).status == 2)
        let dataset = try assay(["export", "detector:ks", "--key", key, "-o", dir.file("x.tar.gz")])
        #expect(dataset.status == 2 && dataset.stderr.contains("a bundle is made for a run or an alert"), "\(dataset.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.tar.gz")))

        // A key made by openssl signs bundles too.
        let openssl = dir.file("openssl.pem")
        let gen = try ChildProcess.run("/usr/bin/env", ["openssl", "genpkey", "-algorithm", "ed25519", "-out", openssl])
        try #require(gen.status == 0, "\(gen.stderr)")
        let pub = try ChildProcess.run("/usr/bin/env", ["openssl", "pkey", "-in", openssl, "-pubout", "-out", dir.file("openssl.pub.pem")])
        try #require(pub.status == 0)
        try require(try assay(["export", id, "--key", openssl, "-o", dir.file("o.tar.gz"), "--no-data"]))
        #expect(try AssayBinary.run(["verify", dir.file("o.tar.gz"), "--pubkey", dir.file("openssl.pub.pem")]).status == 0)
    }
}

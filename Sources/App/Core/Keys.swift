import Crypto
import Domain
import Fluent
import Foundation
import Vapor

/// The master key: from `PASSERELLE_MASTER_KEY` (base64 of 32 bytes), or from `master.key` in the
/// data folder, generated with mode 0600 on first start. Never stored in the database.
enum MasterKeyProvider {
    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    static let fileName = "master.key"

    static func load(config: AppConfig) throws -> SymmetricKey {
        if let provided = config.masterKey { return provided }
        if let text = ProcessInfo.processInfo.environment["PASSERELLE_MASTER_KEY"], !text.isEmpty {
            do { return try Envelope.key(fromBase64: text) } catch {
                throw Refused(description: "PASSERELLE_MASTER_KEY must be the base64 of 32 random bytes (openssl rand -base64 32)")
            }
        }
        let path = (config.dataDirectory as NSString).appendingPathComponent(fileName)
        if FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            do { return try Envelope.key(fromBase64: text) } catch {
                throw Refused(description: "\(path) does not hold a valid key (base64 of 32 bytes)")
            }
        }
        try FileManager.default.createDirectory(
            atPath: config.dataDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let key = Envelope.newKey()
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((Envelope.base64(key) + "\n").utf8),
                attributes: [.posixPermissions: 0o600])
        else {
            throw Refused(description: "cannot write \(path)")
        }
        return key
    }

    /// Refuses to start when the key cannot open what was sealed before (a wrong or lost key
    /// would otherwise make new data unreadable alongside old).
    static func checkAgainstDatabase(_ key: SymmetricKey, db: any Database) async throws {
        if let check = try await KeyCheck.query(on: db).first() {
            guard Envelope.verifyKeyCheck(check.sealed, master: key) else {
                throw Refused(
                    description:
                        "the master key cannot open this database's data: refusing to start. Restore the right PASSERELLE_MASTER_KEY or master.key.")
            }
        } else {
            try await KeyCheck(sealed: try Envelope.makeKeyCheck(master: key)).create(on: db)
        }
    }
}

struct MasterKeyStorageKey: StorageKey { typealias Value = SymmetricKey }

extension Application {
    var masterKey: SymmetricKey {
        get { storage[MasterKeyStorageKey.self]! }
        set { storage[MasterKeyStorageKey.self] = newValue }
    }
}

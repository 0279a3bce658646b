import Domain
import Vapor

/// `passerelle audit verify`: walks the hash chain; exits non-zero naming the first bad event.
struct AuditCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "verify")
        var action: String
    }

    struct ChainBroken: Error, CustomStringConvertible {
        let description: String
    }

    var help: String { "Checks the audit log's hash chain (passerelle audit verify)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "verify" else {
            throw ChainBroken(description: "unknown action '\(signature.action)'; use: passerelle audit verify")
        }
        let verdict = try await AuditLog.verify(on: context.application.db)
        switch verdict {
        case .intact(let count):
            context.console.print("audit chain intact: \(count) events checked")
        case .broken(let sequence, let reason, let checked):
            context.console.error("audit chain BROKEN at event \(sequence): \(reason.rawValue) (\(checked) events checked before it)")
            throw ChainBroken(description: "audit chain broken at event \(sequence)")
        }
    }
}

import Fluent
import Vapor

/// `passerelle migrate`: applies pending migrations without asking (Fluent's own command waits
/// for a "y" on standard input, which scripts and CI do not have).
struct PasserelleMigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Applies pending database migrations." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        context.console.print("migrations applied")
    }
}

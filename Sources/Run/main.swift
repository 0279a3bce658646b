import App
import Foundation
import NIOCore
import NIOPosix
import Vapor

// Swift concurrency runs on Vapor's event loops: a request's handler, its database calls and its
// response then stay on one thread instead of hopping between the concurrency pool and the loop
// (measured: the hops were a quarter of a page's CPU). Must come before any other async code.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
// Entry point only. `passerelle demo [--hostname H] [--port P]` = seed the demo network on the
// embedded database, print its accounts, then `serve` with the same options.
var env = try Environment.detect()
if ProcessInfo.processInfo.environment["PASSERELLE_LOG_FORMAT"] == "json" {
    let level = Logger.Level(rawValue: ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "") ?? (env.isRelease ? .notice : .info)
    LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
} else {
    try LoggingSystem.bootstrap(from: &env)
}
let arguments = env.arguments
let isDemo = arguments.count > 1 && arguments[1] == "demo"
if isDemo {
    env.arguments = [arguments[0], "serve"] + arguments.dropFirst(2)
}

let app = try await Application.make(env)
// Resources and public files are found wherever the program is started from.
InstallLocation.apply(to: app)
do {
    _ = PasserelleMetrics.registry
    try await configure(app, config: AppConfig.fromEnvironment(demoMode: isDemo))
    if isDemo {
        let given = ProcessInfo.processInfo.environment["PASSERELLE_DEMO_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        let password = given ?? "demo-" + UUID().uuidString.lowercased().prefix(18)
        let accounts = try await DemoSeeder.seed(app, password: password)
        let cases = try await DemoSeeder.seedCases(app)
        let services = try await DemoSeeder.seedDirectory(app)
        let referrals = try await DemoSeeder.seedReferrals(app)
        // Written straight to the file descriptor, unbuffered, so scripts see the lines while the server runs.
        func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        say("Passerelle demo — fictional data only; two-factor is not required for these demo accounts.")
        for account in accounts {
            say("demo account: \(account.email) \(account.roles.map(\.rawValue).joined(separator: ",")) \(account.organisation)")
        }
        if cases > 0 { say("demo cases created: \(cases)") }
        if services > 0 { say("demo directory services created: \(services)") }
        if referrals.count > 0 { say("demo referrals created: \(referrals.count)") }
        if let accepted = referrals.accepted { say("demo accepted referral: \(accepted)") }
        say(given == nil ? "demo password: \(password)" : "demo password: from PASSERELLE_DEMO_PASSWORD")
    }
    try await app.execute()
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()

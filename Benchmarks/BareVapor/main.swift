import Vapor

// A bare Vapor server with one route and no middleware beyond Vapor's defaults: the baseline
// the foundation benchmark prints beside Passerelle's own figures.
var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)
let app = try await Application.make(env)
app.get("bare") { _ in "ok" }
do {
    try await app.execute()
} catch {
    try? await app.asyncShutdown()
    throw error
}
try await app.asyncShutdown()

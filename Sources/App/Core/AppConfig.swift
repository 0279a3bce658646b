import Crypto
import Domain
import Foundation
import Vapor

/// Everything that varies between installs, read once at start (ARCHITECTURE.md pattern 7).
/// Tests build one by hand; `fromEnvironment` is the only place that reads the environment.
public struct AppConfig: Sendable {
    public enum DatabaseKind: Sendable {
        /// The embedded default: one file in the data folder.
        case sqlite(path: String)
        /// `searchPath` lets tests give each run its own schema.
        case postgres(url: String, searchPath: String?, connectionsPerEventLoop: Int = 4)
    }

    public var dataDirectory: String
    public var database: DatabaseKind
    /// The address people type, e.g. `https://passerelle.example.org`. Decides `Secure` cookies,
    /// the `__Host-` prefix, HSTS, the allowed `Origin` and the links in invitations.
    public var publicURL: String
    /// False when `PASSERELLE_PUBLIC_URL` is not set: links shown in pages then follow the address
    /// the loopback address the browser used (a demo on another port), see `Request.baseURL`;
    /// other `Host`s are refused (`RequestGuardMiddleware`).
    public var publicURLConfigured: Bool = true
    /// No request is answered later than this: past it the person gets a 503 with what they
    /// typed, whatever the database or a connection is doing.
    public var requestDeadline: TimeInterval = 30
    /// `passerelle demo`: demo accounts may skip two-factor, and every page says so.
    public var demoMode: Bool
    public var requireTwoFactor: Bool
    /// Socket addresses of reverse proxies whose `X-Forwarded-For` we believe.
    public var trustedProxies: Set<String>
    public var metricsToken: String?
    public var sessionLifetime: SessionLifetime
    public var autoMigrate: Bool
    public var bcryptCost: Int
    public var timeZone: TimeZone
    public var invitationLifetime: TimeInterval
    /// Tests pass a key; otherwise `PASSERELLE_MASTER_KEY` or the data folder's `master.key`.
    public var masterKey: SymmetricKey?
    /// Largest document a case accepts (`PASSERELLE_DOCUMENT_MAX_MB`, default 20).
    public var documentMaxBytes: Int = 20 * 1024 * 1024

    public init(
        dataDirectory: String, database: DatabaseKind, publicURL: String = "http://127.0.0.1:8080", demoMode: Bool = false,
        requireTwoFactor: Bool = true, trustedProxies: Set<String> = [], metricsToken: String? = nil,
        sessionLifetime: SessionLifetime = .init(), autoMigrate: Bool = true, bcryptCost: Int = 12,
        timeZone: TimeZone = TimeZone(identifier: "America/Toronto") ?? .current,
        invitationLifetime: TimeInterval = 72 * 3600, masterKey: SymmetricKey? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.database = database
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.demoMode = demoMode
        self.requireTwoFactor = requireTwoFactor
        self.trustedProxies = trustedProxies
        self.metricsToken = metricsToken
        self.sessionLifetime = sessionLifetime
        self.autoMigrate = autoMigrate
        self.bcryptCost = bcryptCost
        self.timeZone = timeZone
        self.invitationLifetime = invitationLifetime
        self.masterKey = masterKey
    }

    public var isHTTPS: Bool { publicURL.lowercased().hasPrefix("https://") }

    public var sessionCookieName: String { isHTTPS ? "__Host-passerelle" : "passerelle" }

    public static func fromEnvironment(demoMode: Bool = false) -> AppConfig {
        let env = ProcessInfo.processInfo.environment
        let dataDirectory = env["PASSERELLE_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./passerelle-data"
        let database: DatabaseKind
        if let url = env["DATABASE_URL"], !url.isEmpty {
            database = .postgres(url: url, searchPath: nil)
        } else {
            database = .sqlite(path: (dataDirectory as NSString).appendingPathComponent("passerelle.sqlite"))
        }
        func flag(_ name: String, default value: Bool) -> Bool {
            guard let raw = env[name]?.lowercased() else { return value }
            return ["1", "true", "yes", "on"].contains(raw)
        }
        func seconds(_ name: String, default value: TimeInterval) -> TimeInterval {
            env[name].flatMap(TimeInterval.init) ?? value
        }
        let configuredURL = env["PASSERELLE_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 }
        var config = AppConfig(
            dataDirectory: dataDirectory,
            database: database,
            publicURL: configuredURL ?? "http://127.0.0.1:8080",
            demoMode: demoMode,
            requireTwoFactor: flag("PASSERELLE_REQUIRE_2FA", default: true),
            trustedProxies: Set(
                (env["PASSERELLE_TRUSTED_PROXIES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            ),
            metricsToken: env["PASSERELLE_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            sessionLifetime: .init(
                idle: seconds("PASSERELLE_SESSION_IDLE_SECONDS", default: 30 * 60),
                absolute: seconds("PASSERELLE_SESSION_ABSOLUTE_SECONDS", default: 12 * 3600)),
            autoMigrate: flag("PASSERELLE_AUTO_MIGRATE", default: true),
            bcryptCost: env["PASSERELLE_BCRYPT_COST"].flatMap(Int.init).map { min(max($0, 4), 31) } ?? 12,
            timeZone: env["PASSERELLE_TIMEZONE"].flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "America/Toronto") ?? .current
        )
        config.publicURLConfigured = configuredURL != nil
        if let megabytes = env["PASSERELLE_DOCUMENT_MAX_MB"].flatMap(Int.init), (1...500).contains(megabytes) {
            config.documentMaxBytes = megabytes * 1024 * 1024
        }
        return config
    }
}

struct AppConfigKey: StorageKey { typealias Value = AppConfig }

extension Application {
    public var config: AppConfig {
        get {
            guard let config = storage[AppConfigKey.self] else { fatalError("configure(_:config:) was not called") }
            return config
        }
        set { storage[AppConfigKey.self] = newValue }
    }
}

extension Request {
    var config: AppConfig { application.config }

    /// The base of absolute links shown in pages.
    var baseURL: String {
        // Only without a configured address, and only a loopback one (`RequestGuardMiddleware`
        // refuses the others before any handler runs).
        if !config.publicURLConfigured, let host = headers.first(name: .host), RequestGuardMiddleware.isLoopback(host: host) {
            return "http://" + host
        }
        return config.publicURL
    }
}

import Domain
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import Metrics
import Prometheus
import SQLKit
import Vapor

/// The composition root. Tests call it with their own `AppConfig` (a temporary data folder or a
/// PostgreSQL schema of their own); `Run` calls it with `AppConfig.fromEnvironment()`.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.config = config
    app.localizer = try Localizer.load(directory: app.directory.resourcesDirectory + "Localization")

    switch config.database {
    case .sqlite(let path):
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        app.databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
    case .postgres(let url, let searchPath, let connections):
        var postgres = try SQLPostgresConfiguration(url: url)
        postgres.searchPath = searchPath.map { [$0] }
        // No JIT compilation: it pays off for long analytical queries, and only cost pages their
        // time here (measured at 10k cases: list 367 -> 422 req/s, figures 473 -> 617).
        postgres.coreConfiguration.options.additionalStartupParameters.append(("jit", "off"))
        // No request waits on the database longer than this: a statement is cancelled by the
        // server, a connection that cannot be made or had from the pool fails, and the person
        // gets a 503 with what they typed instead of a page that never answers.
        postgres.coreConfiguration.options.additionalStartupParameters.append(("statement_timeout", "\(FormLimits.databaseTimeoutSeconds * 1000)"))
        postgres.coreConfiguration.options.connectTimeout = .seconds(Int64(FormLimits.databaseTimeoutSeconds))
        app.databases.use(
            .postgres(
                configuration: postgres, maxConnectionsPerEventLoop: connections,
                connectionPoolTimeout: .seconds(Int64(FormLimits.databaseTimeoutSeconds)), sqlLogLevel: .debug), as: .psql)
    }
    _ = app.figuresCache  // created before any request can race to create it
    if case .sqlite(let path) = config.database {
        app.auditWriter = AuditWriter(sqlite: .ownThreads(path: path, logger: app.logger))
        app.walCheckpointer = WALCheckpointer(path: path, eventLoop: app.eventLoopGroup.any(), logger: app.logger)
        app.lifecycle.use(WALCheckpointerLifecycle())
    } else {
        app.auditWriter = AuditWriter(sqlite: nil)
    }
    app.lifecycle.use(AuditWriterLifecycle())
    app.databases.middleware.use(ApplicationDerivedFields())
    app.databases.middleware.use(DirectoryServiceAreas())
    // The master key is read before the migrations: one of them (012) recomputes the name
    // index, whose keys derive from it. It is checked against the database after them.
    app.masterKey = try MasterKeyProvider.load(config: config)
    PasserelleMigrations.register(on: app.migrations, masterKey: app.masterKey)
    if case .postgres(_, let searchPath?, _) = config.database, let sql = app.db as? any SQLDatabase {
        // A schema of its own (tests, or several instances in one database).
        try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: searchPath)").run()
    }
    if case .sqlite = config.database {
        try await DatabaseSetup.prepareSQLite(app)
    }
    if config.autoMigrate {
        try await app.autoMigrate()
    }
    if config.autoMigrate {
        try await MasterKeyProvider.checkAgainstDatabase(app.masterKey, db: app.db)
    }

    // Every form fits with all its fields at their limits in the costliest encoding (a 4-byte
    // character is 12 bytes percent-encoded): the experience form, the largest, is 32,000
    // characters, 384 KB. Uploads set their own limit.
    app.routes.defaultMaxBodySize = ByteCount(value: FormLimits.maximumBody)
    if !config.publicURLConfigured {
        app.logger.notice(
            "PASSERELLE_PUBLIC_URL is not set: answering loopback addresses only (localhost, 127.0.0.1, [::1]). A real install sets it to the address people use."
        )
    }
    app.sessions.use { _ in DatabaseSessions() }
    app.sessions.configuration = SessionsConfiguration(cookieName: config.sessionCookieName) { id in
        // No Expires: the cookie dies with the browser; the server enforces idle and absolute limits.
        HTTPCookies.Value(string: id.string, path: "/", isSecure: config.isHTTPS, isHTTPOnly: true, sameSite: .lax)
    }

    app.views.use(.leaf)
    app.leaf.sources = .singleSource(
        LocalizedTemplates(
            files: NIOLeafFiles(
                fileio: app.fileio, limits: .default, sandboxDirectory: app.leaf.configuration.rootDirectory,
                viewDirectory: app.leaf.configuration.rootDirectory),
            localizer: app.localizer))
    app.leaf.tags["t"] = TranslateTag(localizer: app.localizer)
    app.leaf.tags["options"] = OptionsTag()
    app.leaf.tags["html"] = HTMLTag()
    app.leaf.tags["field"] = FieldTag(localizer: app.localizer)
    app.leaf.tags["errorSummary"] = ErrorSummaryTag(localizer: app.localizer)
    app.leaf.tags["errorTitle"] = ErrorTitleTag(localizer: app.localizer)
    app.leaf.tags["tp"] = TranslatePluralTag(localizer: app.localizer)
    app.leaf.cache.isEnabled = app.environment.isRelease

    let common = try PasswordService.loadCommonPasswords(resourcesDirectory: app.directory.resourcesDirectory)
    let cost = config.bcryptCost
    let decoy = try await app.threadPool.runIfActive { try Bcrypt.hash(Secrets.randomToken(), cost: cost) }
    app.passwordService = PasswordService(cost: cost, policy: PasswordPolicy(commonPasswords: common), decoyHash: decoy)

    // Order matters: security headers wrap everything (error pages included), the error page
    // sits inside them, static files need no session, and the user is loaded from the session.
    app.middleware = Middlewares()
    app.middleware.use(SecurityHeadersMiddleware(https: config.isHTTPS))
    app.middleware.use(PageErrorMiddleware())
    app.middleware.use(RequestGuardMiddleware(publicURLConfigured: config.publicURLConfigured))
    app.middleware.use(RequestDeadlineMiddleware(seconds: config.requestDeadline))
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(CurrentUserMiddleware())

    app.asyncCommands.use(AuditCommand(), as: "audit")
    app.asyncCommands.use(CreateAdminCommand(), as: "create-admin")
    app.asyncCommands.use(PasserelleMigrateCommand(), as: "migrate")
    app.asyncCommands.use(KeysCommand(), as: "keys")
    app.asyncCommands.use(RetentionCommand(), as: "retention")
    app.asyncCommands.use(GenerateCommand(), as: "generate")
    app.asyncCommands.use(NotifyCommand(), as: "notify")

    try routes(app)
}

func routes(_ app: Application) throws {
    try app.register(collection: OperationsController())
    try app.register(collection: AuthController())
    try app.register(collection: HomeController())
    try app.register(collection: AccountController())
    try app.register(collection: OrganisationsController())
    try app.register(collection: UsersController())
    try app.register(collection: AuditController())
    try app.register(collection: CasesController())
    try app.register(collection: CaseSectionsController())
    try app.register(collection: CaseExportController())
    try app.register(collection: ApplicationsController())
    try app.register(collection: DeadlinesController())
    try app.register(collection: FiguresController())
    try app.register(collection: PathwayTypesController())
    try app.register(collection: DirectoryController())
    try app.register(collection: ReferralsController())
    try app.register(collection: TrendsController())
    try app.register(collection: DirectoryImportController())
    try app.register(collection: DirectoryExportController())
    try app.register(collection: CaseDocumentsController(maxBytes: app.config.documentMaxBytes))
}

/// Prometheus registry fed by swift-metrics; Vapor reports request counts and latency through it.
/// Bootstrapped once per process, on first use.
public enum PasserelleMetrics {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

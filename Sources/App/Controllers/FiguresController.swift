import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Organisation figures on applications, for supervisors: a table, an SVG chart (drawn on the
/// server, no JavaScript) and a CSV export with French and English headers.
struct FiguresController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, SiteURL.figures, access: CasesController.supervisors, use: page)
        routes.on(.GET, SiteURL.figures + ".csv", access: CasesController.supervisors, use: csv)
    }

    /// The figures are computed by the database from the covering index `applications_figures_idx`:
    /// counts by pathway, province and state (GROUP BY), and the values at the median and the
    /// 90th percentile of each series (ROW_NUMBER and COUNT over a window). A few dozen rows come
    /// back whatever the number of applications; `PathwayFigures.rows(tallies:ranked:)` assembles
    /// them (tested equal to the computation over every record).
    static func rows(_ req: Request) async throws -> [PathwayFigures.Row] {
        let organisationID = try req.requireUser().organisation.id!
        let sql = req.db as! any SQLDatabase
        // Computed again only when an application of the organisation changed since (FiguresStamp).
        let stamp = try await FiguresStamp.current(organisationID: organisationID, on: sql)
        if let cached = req.application.figuresCache.rows(organisationID, stamp: stamp) { return cached }
        let rows = try await rows(organisationID: organisationID, on: sql)
        req.application.figuresCache.store(organisationID, stamp: stamp, rows: rows)
        return rows
    }

    static func rows(organisationID: UUID, on sql: any SQLDatabase) async throws -> [PathwayFigures.Row] {
        struct Tally: Decodable {
            let code: String
            let province: String?
            let state: String
            let n: Int
        }
        struct Ranked: Decodable {
            let series: String
            let code: String
            let province: String?
            let v: Int
            let rn: Int
            let n: Int
        }
        let approved = ApplicationState.approved.rawValue, refused = ApplicationState.refused.rawValue
        let tallies = try await sql.raw(
            """
            SELECT p.code AS code, a.province AS province, a.state AS state, COUNT(*) AS n
            FROM applications a JOIN pathway_types p ON p.id = a.pathway_type_id
            WHERE a.organisation_id = \(bind: organisationID)
            GROUP BY p.code, a.province, a.state
            """
        ).all(decoding: Tally.self)
        let ranked = try await sql.raw(
            """
            SELECT series, code, province, v, rn, n FROM (
              SELECT series, code, province, v,
                     ROW_NUMBER() OVER (PARTITION BY series, code, province ORDER BY v) AS rn,
                     COUNT(*) OVER (PARTITION BY series, code, province) AS n
              FROM (
                SELECT 'processing' AS series, p.code AS code, a.province AS province, a.processing_days AS v
                FROM applications a JOIN pathway_types p ON p.id = a.pathway_type_id
                WHERE a.organisation_id = \(bind: organisationID) AND a.state IN (\(bind: approved), \(bind: refused)) AND a.processing_days IS NOT NULL
                UNION ALL
                SELECT CASE WHEN a.complete_at_submission THEN 'complete' ELSE 'incomplete' END, p.code, a.province, a.processing_days
                FROM applications a JOIN pathway_types p ON p.id = a.pathway_type_id
                WHERE a.organisation_id = \(bind: organisationID) AND a.state IN (\(bind: approved), \(bind: refused)) AND a.processing_days IS NOT NULL
                  AND a.complete_at_submission IS NOT NULL
                UNION ALL
                SELECT 'validity', p.code, a.province, a.validity_days
                FROM applications a JOIN pathway_types p ON p.id = a.pathway_type_id
                WHERE a.organisation_id = \(bind: organisationID) AND a.state = \(bind: approved) AND a.validity_days IS NOT NULL
              ) series_values
            ) ranked
            WHERE rn = (n * 50 + 99) / 100 OR (series = 'processing' AND rn = (n * 90 + 99) / 100)
            """
        ).all(decoding: Ranked.self)
        return PathwayFigures.rows(
            tallies: tallies.map {
                .init(pathwayCode: $0.code, province: $0.province ?? "", state: ApplicationState(rawValue: $0.state) ?? .preparing, count: $0.n)
            },
            ranked: ranked.compactMap { row in
                PathwayFigures.Series(rawValue: row.series).map {
                    .init(series: $0, pathwayCode: row.code, province: row.province ?? "", value: row.v, rank: row.rn, count: row.n)
                }
            })
    }

    struct RowView: Encodable {
        let pathway: String
        let province: String
        let applications: Int
        let approvalRate: String
        let medianProcessing: String
        let p90Processing: String
        let medianValidity: String
        let complete: String
        let incomplete: String
    }

    struct Bar: Encodable {
        let label: String
        let y: Int
        let y2: Int
        let completeWidth: Int
        let incompleteWidth: Int
        let complete: String
        let incomplete: String
        let textY: Int
    }

    struct FiguresContext: Encodable {
        let page: PageChrome
        let rows: [RowView]
        let hasRows: Bool
        let bars: [Bar]
        let chartHeight: Int
    }

    @Sendable
    func page(req: Request) async throws -> Response {
        let rows = try await Self.rows(req)
        let names = try await PathwayType.currentNames(on: req.db, language: req.language)
        func number(_ value: Int?) -> String { value.map { req.formatNumber($0) } ?? "—" }
        let views = rows.map { row in
            RowView(
                pathway: names[row.pathwayCode] ?? row.pathwayCode,
                province: Province(rawValue: row.province).map { req.t($0.labelKey) } ?? "—",
                applications: row.applications,
                approvalRate: row.approvalRate.map {
                    $0.formatted(.percent.precision(.fractionLength(0)).locale(Locale(identifier: req.language.localeIdentifier)))
                } ?? "—",
                medianProcessing: number(row.medianProcessing), p90Processing: number(row.p90Processing), medianValidity: number(row.medianValidity),
                complete: number(row.medianProcessingComplete), incomplete: number(row.medianProcessingIncomplete))
        }
        // Chart: median business days by pathway, with vs without a complete checklist.
        let byPathway = Dictionary(grouping: rows, by: \.pathwayCode)
        let scaleMax = max(1, rows.compactMap { max($0.medianProcessingComplete ?? 0, $0.medianProcessingIncomplete ?? 0) }.max() ?? 1)
        var bars: [Bar] = []
        for (index, code) in byPathway.keys.sorted().enumerated() {
            let group = byPathway[code]!
            let complete = ApplicationFigures.percentile(group.compactMap(\.medianProcessingComplete), 0.5)
            let incomplete = ApplicationFigures.percentile(group.compactMap(\.medianProcessingIncomplete), 0.5)
            let y = 30 + index * 56
            bars.append(
                Bar(
                    label: names[code] ?? code, y: y, y2: y + 20, completeWidth: (complete ?? 0) * 400 / scaleMax,
                    incompleteWidth: (incomplete ?? 0) * 400 / scaleMax,
                    complete: number(complete), incomplete: number(incomplete), textY: y - 6))
        }
        try await req.audit(.figuresViewed, target: try req.requireUser().organisation.id?.uuidString)
        return try await req.render(
            "figures",
            FiguresContext(
                page: PageChrome(req, titleKey: "figures.title"), rows: views, hasRows: !views.isEmpty,
                bars: bars, chartHeight: 40 + bars.count * 56))
    }

    @Sendable
    func csv(req: Request) async throws -> Response {
        let rows = try await Self.rows(req)
        let localizer = req.application.localizer
        let keys = [
            "figures.pathway", "figures.province", "figures.applications", "figures.approval_rate", "figures.median_processing",
            "figures.p90_processing", "figures.median_validity", "figures.complete", "figures.incomplete",
        ]
        var lines = [keys.map { "\(localizer.text($0, .fr)) / \(localizer.text($0, .en))" }]
        for row in rows {
            let cells: [String] = [
                row.pathwayCode, row.province, String(row.applications), row.approvalRate.map { String(format: "%.3f", $0) } ?? "",
                row.medianProcessing.map(String.init) ?? "", row.p90Processing.map(String.init) ?? "", row.medianValidity.map(String.init) ?? "",
                row.medianProcessingComplete.map(String.init) ?? "", row.medianProcessingIncomplete.map(String.init) ?? "",
            ]
            lines.append(cells)
        }
        try await req.audit(.figuresViewed, target: try req.requireUser().organisation.id?.uuidString, detail: "csv")
        let response = Response(status: .ok, body: .init(string: CSVWriter.document(lines)))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"passerelle-figures.csv\"")
        return response
    }
}

/// The last figures of each organisation with the stamp they were computed at.
final class FiguresCache: Sendable {
    private let entries = NIOLockedValueBox<[UUID: (stamp: Int, rows: [PathwayFigures.Row])]>([:])

    func rows(_ organisationID: UUID, stamp: Int) -> [PathwayFigures.Row]? {
        entries.withLockedValue { entries in entries[organisationID].flatMap { $0.stamp == stamp ? $0.rows : nil } }
    }

    func store(_ organisationID: UUID, stamp: Int, rows: [PathwayFigures.Row]) {
        entries.withLockedValue { $0[organisationID] = (stamp, rows) }
    }
}

extension Application {
    private struct FiguresCacheKey: StorageKey { typealias Value = FiguresCache }

    var figuresCache: FiguresCache {
        if let cache = storage[FiguresCacheKey.self] { return cache }
        let cache = FiguresCache()
        storage[FiguresCacheKey.self] = cache
        return cache
    }
}

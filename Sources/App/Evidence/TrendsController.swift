import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// "Tendances régionales / Regional trends": the network's fixed tables over a period and
/// provinces, each through the privacy engine (k = 5 on the page, 11 in a CSV), with a chart
/// drawn on the server beside its table; supervisors see their own organisation's beside them.
/// Network coordinators and supervisors only; nothing here names a case or an organisation.
struct TrendsController: RouteCollection {
    static let access = AccessPolicy.roles([.networkCoordinator, .supervisor])

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .networkTrends, access: Self.access, use: page)
        routes.on(.GET, .networkTrendCSV(.key), access: Self.access, use: csv)
        routes.on(.GET, .networkMicrodata, access: .roles([.networkCoordinator]), use: microdata)
    }

    struct Cell: Encodable {
        let text: String
        let suppressed: Bool
    }

    struct Row: Encodable {
        let label: String
        let cells: [Cell]
    }

    struct Bar: Encodable {
        let label: String
        let y: Int
        let textY: Int
        let width: Int
        let value: String
        let suppressed: Bool
    }

    struct TableView: Encodable {
        let id: String
        let title: String
        let definition: String
        let mentions: Bool
        let columns: [String]
        let rows: [Row]
        let total: Row
        let csv: String
        let bars: [Bar]
        let chartHeight: Int
        let suppressed: Int
        let suppressedText: String
        let own: [Row]?
        let ownTotal: Row?
    }

    struct Indicator: Encodable {
        let province: String
        let pathway: String
        let approval: String
        let complete: String
        let incomplete: String
        let validity: String
    }

    struct TrendsContext: Page {
        static let template = "network/trends"

        let page: PageChrome
        let from: String
        let to: String
        let provinces: [FormOption]
        let errors: FormErrors
        let hasTables: Bool
        /// The tables and indicators as rendered by `TablesContext`, kept while the counts stay put.
        let tables: SafeHTML
        let contributors: String
        let periodText: String
        let threshold: String
        let showsOwn: Bool
        /// For network coordinators: the anonymised microdata of the selection, and what its release suppressed.
        let microdata: String?
        let microdataRelease: String?
    }

    /// The tables and permit indicators of one selection in one language (and one organisation's
    /// own beside them): rendered once, then reused from `TrendsCache` until the counts' stamp moves.
    struct TablesContext: Page {
        static let template = "network/trends-tables"
        static let isFragment = true

        let page: PageChrome
        let tables: [TableView]
        let indicators: [Indicator]
        let hasIndicators: Bool
        let threshold: String
    }

    /// The selection typed in the query, or the fields at fault with what was typed.
    struct Query {
        var from: String
        var to: String
        var provinces: [String]
        var selection: TrendsQueries.Selection?
        var errors = FormErrors()
    }

    static func read(_ req: Request) -> Query {
        let items = URLComponents(string: req.url.string)?.queryItems ?? []
        func first(_ name: String) -> String? { items.first { $0.name == name }?.value }
        let current = currentMonth(req)
        let standard = EvidencePeriod(from: current.adding(months: -35), to: current)
        var query = Query(
            from: first("from") ?? standard.from.description, to: first("to") ?? standard.to.description,
            provinces: items.filter { $0.name == "province" }.compactMap(\.value).filter { !$0.isEmpty })
        var period: EvidencePeriod?
        switch EvidencePeriod.parse(from: query.from, to: query.to, current: current) {
        case .success(let value): period = value
        case .failure(let failure): query.errors.add(failure.field, req.t(failure.problem.rawValue))
        }
        let provinces = query.provinces.compactMap(Province.init(rawValue:))
        if provinces.count != query.provinces.count { query.errors.add("province", req.t("evidence.error.province")) }
        if let period, query.errors.isEmpty {
            let chosen = provinces.isEmpty ? Province.allCases : Province.allCases.filter(provinces.contains)
            query.selection = TrendsQueries.Selection(period: period, provinces: chosen)
        }
        return query
    }

    static func currentMonth(_ req: Request) -> EvidencePeriod.Month {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: req.now)
        return EvidencePeriod.Month(year: parts.year!, month: parts.month!)
    }

    /// A code of a table's row or column in the reader's language.
    static func label(_ table: TrendTable, row: Bool, _ code: String, _ req: Request, pathways: [String: String]) -> String {
        if code == "not_recorded" { return req.t("evidence.not_recorded") }
        // Provinces are the rows of two tables and the columns of the tables of a dimension by province.
        let provinceAxis = table == .casesByPeriod || table == .permits ? row : !row && table != .genderAge && table != .needs
        if provinceAxis, let province = Province(rawValue: code) { return req.t(province.labelKey) }
        if table == .casesByPeriod, !row {
            let parts = code.split(separator: "-")
            return "\(parts[0]) \(req.t("evidence.quarter"))\(parts[1].dropFirst())"
        }
        if table == .permits, !row { return pathways[code] ?? code }
        let key: String? =
            switch (table, row) {
            case (.exploitation, true): ExploitationType(rawValue: code)?.labelKey
            case (.scope, true): TraffickingScope(rawValue: code)?.labelKey
            case (.status, true): TraffickingStatus(rawValue: code)?.labelKey
            case (.genderAge, true): GenderCode(rawValue: code)?.labelKey
            case (.genderAge, false): AgeBand(rawValue: code)?.labelKey
            case (.indigenous, true): IndigenousIdentity(rawValue: code)?.labelKey
            case (.immigration, true): ImmigrationStatus(rawValue: code)?.labelKey
            case (.industry, true): LabourIndustry(rawValue: code)?.labelKey
            case (.control, true): ControlMethod(rawValue: code)?.labelKey
            case (.fees, true): FeeBand(rawValue: code)?.labelKey
            case (.licensed, true): "case.safe.messages.\(code)"
            case (.needs, true): NeedKind(rawValue: code)?.labelKey
            case (.needs, false): NeedStatus(rawValue: code)?.labelKey
            default: nil
            }
        return key.map { req.t($0) } ?? code
    }

    static func pathways(on db: any Database, language: Language) async throws -> (codes: [String], names: [String: String]) {
        let names = try await PathwayType.currentNames(on: db, language: language)
        return (names.keys.sorted(), names)
    }

    @Sendable
    func page(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let query = Self.read(req)
        let provinceOptions = Province.allCases.map {
            FormOption(value: $0.rawValue, label: req.t($0.labelKey), selected: query.provinces.contains($0.rawValue))
        }
        guard let selection = query.selection else {
            return try await req.render(
                TrendsContext(
                    page: PageChrome(req, titleKey: "evidence.title"), from: query.from, to: query.to, provinces: provinceOptions,
                    errors: query.errors, hasTables: false, tables: .empty, contributors: "",
                    periodText: "", threshold: String(SuppressionRules.dashboard.k), showsOwn: false, microdata: nil, microdataRelease: nil),
                status: .unprocessableEntity)
        }
        let rules = SuppressionRules.dashboard
        let (codes, names) = try await Self.pathways(on: req.db, language: req.language)
        // A supervisor sees the organisation's own contributions beside the network's.
        let own = current.has(.supervisor) ? current.organisation.id! : nil
        let cache = req.application.trendsCache
        let stamp = try await EvidenceStamp.current(on: req.db as! any SQLDatabase)
        let key = TrendsCache.FragmentKey(
            counts: .init(
                from: selection.period.from.description, to: selection.period.to.description, provinces: selection.provinces.map(\.rawValue),
                organisation: own), language: req.language.rawValue,
            pathways: codes.map { "\($0)=\(names[$0] ?? "")" }.joined(separator: "|"))
        let fragment = try await cache.fragments.value(key, stamp: stamp) {
            try await Self.fragment(req, selection, own: own, stamp: stamp, codes: codes, names: names, rules: rules)
        }
        var microdata: String?, microdataRelease: String?
        if current.has(.networkCoordinator) {
            let provinceQuery = selection.provinces.map { "province=\($0.rawValue)" }.joined(separator: "&")
            microdata = SiteURL.networkMicrodata.path + "?from=\(selection.period.from)&to=\(selection.period.to)&\(provinceQuery)"
            if let release = try await Self.microdataRelease(selection, on: req.db), let kept = release.microdata {
                microdataRelease = req.t("evidence.microdata.release", req.formatNumber(kept.rows.count), req.formatNumber(kept.suppressions))
            }
        }
        try await req.audit(.trendsViewed, detail: "\(selection.period.from)…\(selection.period.to)")
        return try await req.render(
            TrendsContext(
                page: PageChrome(req, titleKey: "evidence.title"), from: selection.period.from.description,
                to: selection.period.to.description, provinces: provinceOptions, errors: FormErrors(), hasTables: true, tables: fragment.html,
                contributors: fragment.contributors,
                periodText: req.t("evidence.period_text", selection.period.from.description, selection.period.to.description),
                threshold: String(rules.k), showsOwn: own != nil, microdata: microdata, microdataRelease: microdataRelease))
    }

    static func microdataRelease(_ selection: TrendsQueries.Selection, on db: any Database) async throws -> EvidenceRelease? {
        try await EvidenceRelease.query(on: db).filter(\.$tableCode == "microdata").filter(\.$periodFrom == selection.period.from.description)
            .filter(\.$periodTo == selection.period.to.description).filter(\.$provinces == selection.provinces.map(\.rawValue).joined(separator: ","))
            .first()
    }

    /// The selection's consented cases as CTDC-shaped microdata, k-anonymous at k = 11 on its
    /// quasi-identifiers (`Microdata`); kept as a release like the tables, so exporting it again
    /// gives the same rows. Network coordinators only.
    @Sendable
    func microdata(req: Request) async throws -> Response {
        let query = Self.read(req)
        guard let selection = query.selection else { throw Abort(.badRequest) }
        let existing = try await Self.microdataRelease(selection, on: req.db)
        let release: Microdata.Release
        if let existing, let kept = existing.microdata {
            release = kept
        } else {
            let months = Set(selection.period.months), provinces = Set(selection.provinces)
            let cases = try await EvidenceFacts.allFacts(on: req.db).filter { months.contains($0.month) && provinces.contains($0.province) }.map {
                fact in
                let genderAge = (fact.values[.genderAge]?.first ?? "").split(separator: "|").map(String.init)
                return Microdata.Case(
                    year: Int(fact.month.prefix(4)) ?? 0, gender: genderAge.first ?? GenderCode.unknown.rawValue,
                    ageBand: genderAge.count > 1 ? genderAge[1] : "not_recorded",
                    citizenshipRegion: fact.values[.citizenship]?.first ?? "not_recorded",
                    province: fact.province, exploitation: (fact.values[.exploitation] ?? []).filter { $0 != "not_recorded" },
                    immigrationStatus: fact.values[.immigration]?.first ?? "not_recorded")
            }
            release = Microdata.anonymise(cases, k: SuppressionRules.export.k)
        }
        let kept = release
        try await req.auditedWrite(
            .trendsExported, target: "microdata",
            detail: "\(selection.period.from)…\(selection.period.to) \(kept.rows.count) rows, \(kept.suppressions) suppressed"
        ) { db in
            guard existing == nil else { return }
            let text = String(
                decoding: try JSONEncoder().encode(EvidenceRelease.MicrodataCells(rows: kept.rows, suppressions: kept.suppressions)), as: UTF8.self)
            try await (db as! any SQLDatabase).raw(
                """
                INSERT INTO evidence_releases (id, table_code, period_from, period_to, provinces, cells, created_at)
                VALUES (\(bind: UUID()), 'microdata', \(bind: selection.period.from.description), \(bind: selection.period.to.description),
                \(bind: selection.provinces.map(\.rawValue).joined(separator: ",")), \(bind: text), \(bind: req.now))
                ON CONFLICT (table_code, period_from, period_to, provinces) DO NOTHING
                """
            ).run()
        }
        let response = Response(status: .ok, body: .init(string: CSVWriter.document([Microdata.quasiIdentifiers] + release.rows)))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: "Passerelle-Suppressions", value: String(release.suppressions))
        response.headers.replaceOrAdd(
            name: .contentDisposition,
            value: "attachment; filename=\"passerelle-microdata-\(selection.period.from)-\(selection.period.to).csv\"")
        return response
    }

    /// Every table of the selection through the privacy engine, and the permit indicators, rendered.
    static func fragment(
        _ req: Request, _ selection: TrendsQueries.Selection, own: UUID?, stamp: Int, codes: [String], names: [String: String],
        rules: SuppressionRules
    ) async throws -> TrendsCache.Fragment {
        let counts = try await TrendsQueries.counts(selection, stamp: stamp, cache: req.application.trendsCache, on: req.db)
        let ownCounts: TrendsQueries.Counts? =
            if let own {
                try await TrendsQueries.counts(selection, organisationID: own, stamp: stamp, cache: req.application.trendsCache, on: req.db)
            } else {
                nil
            }
        let provinceQuery = selection.provinces.map { "province=\($0.rawValue)" }.joined(separator: "&")
        let csvQuery = "?from=\(selection.period.from)&to=\(selection.period.to)&\(provinceQuery)"
        var tables: [TableView] = []
        // The fixed tables, then the names shared by several organisations (labelled like the sectors table).
        var sources: [(id: String, labels: TrendTable, title: String, mentions: Bool, grid: TrendGrid, own: TrendGrid?)] =
            TrendTable.allCases.map { table in
                (
                    table.rawValue, table, table.titleKey, table.countsMentions,
                    TrendsQueries.grid(table, selection, counts: counts, pathways: codes),
                    ownCounts.map { TrendsQueries.grid(table, selection, counts: $0, pathways: codes) }
                )
            }
        sources.append(
            (
                TrendsQueries.sharedNames, .industry, "evidence.shared_names", false,
                try await TrendsQueries.sharedNamesGrid(selection, pathways: codes, on: req.db), nil
            ))
        for source in sources {
            let (table, grid) = (source.labels, source.grid)
            let protected = Suppression.protect(grid.counts, rules: rules)
            let columns = grid.columns.map { Self.label(table, row: false, $0, req, pathways: names) } + [req.t("evidence.total")]
            let rowLabels = grid.rows.map { Self.label(table, row: true, $0, req, pathways: names) }
            let rows = Self.rows(protected, labels: rowLabels, req)
            let own = source.own.map { Self.rows(Suppression.protect($0.counts, rules: rules), labels: rowLabels, req) }
            let totals = protected.grid.map { $0.last! }
            let scale = max(1, totals.dropLast().compactMap { $0 }.max() ?? 1)
            let bars = rowLabels.enumerated().map { index, label in
                let value = totals[index]
                return Bar(
                    label: label, y: 24 + index * 34, textY: 18 + index * 34, width: (value ?? 0) * 420 / scale,
                    value: value.map { req.formatNumber($0) } ?? "x", suppressed: value == nil)
            }
            tables.append(
                TableView(
                    id: source.id, title: req.t(source.title), definition: req.t(source.title + ".definition"),
                    mentions: source.mentions, columns: columns, rows: Array(rows.dropLast()), total: rows.last!,
                    csv: SiteURL.networkTrendCSV(.value(source.id + ".csv")).path + csvQuery, bars: bars,
                    chartHeight: 30 + rowLabels.count * 34, suppressed: protected.suppressedCount,
                    suppressedText: req.formatNumber(protected.suppressedCount),
                    own: own.map { Array($0.dropLast()) }, ownTotal: own?.last))
        }
        func figure(_ value: Double?) -> String {
            value.map { $0.formatted(.number.precision(.fractionLength(0...1)).locale(Locale(identifier: req.language.localeIdentifier))) }
                ?? "x"
        }
        let indicators = TrendsQueries.permitIndicators(selection, counts: counts, pathways: codes, rules: rules).map {
            Indicator(
                province: req.t($0.province.labelKey), pathway: names[$0.pathway] ?? $0.pathway,
                approval: $0.approvalPercent.map { "\($0) %" } ?? "x", complete: figure($0.medianComplete),
                incomplete: figure($0.medianIncomplete), validity: figure($0.medianValidity))
        }
        let view = try await req.view.render(
            "\(req.language.rawValue)/\(TablesContext.template)",
            TablesContext(
                page: PageChrome(req, titleKey: "evidence.title"), tables: tables, indicators: indicators, hasIndicators: !indicators.isEmpty,
                threshold: String(rules.k)))
        return TrendsCache.Fragment(
            html: .rendered(view),
            contributors: Disclosure.contributors(counts.organisations).map { req.tp("evidence.contributors", $0) }
                ?? req.t("evidence.contributors_few"))
    }

    static func rows(_ table: ProtectedTable, labels: [String], _ req: Request) -> [Row] {
        (labels + [req.t("evidence.total")]).enumerated().map { index, label in
            Row(label: label, cells: table.grid[index].map { Cell(text: $0.map { req.formatNumber($0) } ?? "x", suppressed: $0 == nil) })
        }
    }

    /// A table as CSV (k = 11). The first export of a table for a period and provinces is kept as
    /// a release: exported again, it gives the same cells, so two releases cannot be subtracted.
    @Sendable
    func csv(req: Request) async throws -> Response {
        guard let name = req.parameters.get("table"), name.hasSuffix(".csv") else { throw PageError.notFound }
        let code = String(name.dropLast(4))
        let shared = code == TrendsQueries.sharedNames
        // The names shared by several organisations are labelled like the sectors table.
        guard let table = shared ? TrendTable.industry : TrendTable(rawValue: code) else { throw PageError.notFound }
        let query = Self.read(req)
        guard let selection = query.selection else { throw Abort(.badRequest) }
        let (codes, names) = try await Self.pathways(on: req.db, language: req.language)
        let key = (
            table: code, from: selection.period.from.description, to: selection.period.to.description,
            provinces: selection.provinces.map(\.rawValue).joined(separator: ",")
        )
        let release = try await EvidenceRelease.query(on: req.db).filter(\.$tableCode == key.table).filter(\.$periodFrom == key.from)
            .filter(\.$periodTo == key.to).filter(\.$provinces == key.provinces).first()
        var cells: EvidenceRelease.Cells
        if let release, let stored = release.decodedCells {
            cells = stored
        } else {
            let grid =
                shared
                ? try await TrendsQueries.sharedNamesGrid(selection, pathways: codes, on: req.db)
                : TrendsQueries.grid(
                    table, selection, counts: try await TrendsQueries.counts(selection, cache: req.application.trendsCache, on: req.db),
                    pathways: codes)
            let protected = Suppression.protect(grid.counts, rules: .export)
            cells = EvidenceRelease.Cells(rows: grid.rows, columns: grid.columns, grid: protected.grid)
        }
        let stored = cells
        try await req.auditedWrite(.trendsExported, target: code, detail: "\(key.from)…\(key.to) \(key.provinces)") { db in
            guard release == nil else { return }
            let new = EvidenceRelease()
            new.tableCode = key.table
            new.periodFrom = key.from
            new.periodTo = key.to
            new.provinces = key.provinces
            new.cells = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
            new.createdAt = req.now
            // Two exports at once: the first kept wins, the second reads it next time.
            try await (db as! any SQLDatabase).raw(
                """
                INSERT INTO evidence_releases (id, table_code, period_from, period_to, provinces, cells, created_at)
                VALUES (\(bind: UUID()), \(bind: new.tableCode), \(bind: new.periodFrom), \(bind: new.periodTo), \(bind: new.provinces),
                \(bind: new.cells), \(bind: new.createdAt))
                ON CONFLICT (table_code, period_from, period_to, provinces) DO NOTHING
                """
            ).run()
        }
        let protected = ProtectedTable(k: SuppressionRules.export.k, grid: cells.grid, primary: [], complementary: [], auditRounds: 0)
        let title = "\(req.t(shared ? "evidence.shared_names" : table.titleKey)) (\(key.from) – \(key.to))"
        let lines = TrendCSV.lines(
            protected, title: title, rowLabels: cells.rows.map { Self.label(table, row: true, $0, req, pathways: names) },
            columnLabels: cells.columns.map { Self.label(table, row: false, $0, req, pathways: names) }, total: "Total")
        let response = Response(status: .ok, body: .init(string: CSVWriter.document(lines)))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(
            name: .contentDisposition, value: "attachment; filename=\"passerelle-\(code)-\(key.from)-\(key.to).csv\"")
        return response
    }
}

/// An export once made: its cells, as published, for its table, period and provinces.
final class EvidenceRelease: Model, @unchecked Sendable {
    static let schema = "evidence_releases"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "table_code") var tableCode: String
    @Field(key: "period_from") var periodFrom: String
    @Field(key: "period_to") var periodTo: String
    @Field(key: "provinces") var provinces: String
    @Field(key: "cells") var cells: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    struct Cells: Codable, Sendable {
        let rows: [String]
        let columns: [String]
        let grid: [[Int?]]
    }

    var decodedCells: Cells? { try? JSONDecoder().decode(Cells.self, from: Data(cells.utf8)) }

    /// A microdata release: its rows as published and how many values were suppressed.
    struct MicrodataCells: Codable {
        let rows: [[String]]
        let suppressions: Int
    }

    var microdata: Microdata.Release? {
        (try? JSONDecoder().decode(MicrodataCells.self, from: Data(cells.utf8))).map {
            Microdata.Release(rows: $0.rows, suppressions: $0.suppressions)
        }
    }
}

import Foundation
import Vapor

/// Where Passerelle's own files are (`Resources/`, `Public/`): `PASSERELLE_RESOURCES_DIR` when set, else the
/// current folder when it holds them, else the nearest folder above the executable that does
/// (`.build/release/passerelle` finds the checkout it was built in). So `passerelle demo` works
/// started from any folder, and the data folder can live apart from the program.
public enum InstallLocation {
    static let marker = "Resources/Localization/fr.json"

    public static func workingDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath,
        executable: String? = Bundle.main.executablePath ?? CommandLine.arguments.first
    ) -> String? {
        func holds(_ folder: String) -> Bool {
            FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(marker))
        }
        if let home = environment["PASSERELLE_RESOURCES_DIR"], !home.isEmpty { return home }
        if holds(currentDirectory) { return currentDirectory }
        guard let executable else { return nil }
        var folder = (URL(fileURLWithPath: executable).resolvingSymlinksInPath().path as NSString).deletingLastPathComponent
        while folder != "/" && !folder.isEmpty {
            if holds(folder) { return folder }
            folder = (folder as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// Points the application's directories (resources, views, public files) at that folder.
    public static func apply(to app: Application) {
        guard let folder = workingDirectory() else { return }
        app.directory = DirectoryConfiguration(workingDirectory: folder.hasSuffix("/") ? folder : folder + "/")
    }
}

// Loaded between require.js and the widget manager (npm/html-manager/embed-amd.js).
// The manager's bundled modules (@jupyter-widgets/controls...) find their icon fonts beside
// their module address, which require.js makes from the page's folder by default: point
// those addresses, and the manager's own assets path, at its folder in the site.
(function () {
    var assets = new URL("npm/html-manager/", document.currentScript.src).href;
    window.__jupyter_widgets_assets_path__ = assets;
    window.require.config({paths: {"@jupyter-widgets": assets.replace(/\/$/, "")}});
})();

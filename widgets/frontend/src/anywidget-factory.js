// anywidget's front-end ends with an AMD definition, define(["@jupyter-widgets/base"],
// factory), made for JupyterLab's module loader. This bundle has none: a `define` that keeps
// the factory, so that the manager can build anywidget's model and view classes from the
// same @jupyter-widgets/base as the controls. It is gone right after: UMD modules that come
// later (backbone) would take it for a module loader too.
let factory = null;

globalThis.define = (dependencies, definition) => {
  factory = definition;
  delete globalThis.define;
};
globalThis.define.amd = true;

export function anywidgetModule(base) {
  if (!factory) throw new Error("anywidget: zijn definitie werd niet geladen");
  return factory(base);
}

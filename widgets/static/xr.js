// leerpad's XR views (the 3D scene of {ruimte}, the 360° viewer of {panorama}): the
// anywidget module. It loads three.js and the view's own code from the kernel once per page
// (see widgets/xr_view.py) and imports them from blob URLs: nothing comes from a CDN.
const cache = (globalThis.__leerpadXR ??= {});

// Import ES modules given as text, in order; a later file may import an earlier one by its
// file name ("./three.core.min.js"). Returns the last module. The exported WebXR page uses
// this function too.
export async function importFiles(files) {
  const urls = {};
  let last = null;
  for (const { name, data } of files) {
    let text = typeof data === "string" ? data : new TextDecoder().decode(data);
    for (const [earlier, url] of Object.entries(urls)) {
      text = text.split(`"./${earlier}"`).join(JSON.stringify(url));
    }
    urls[name] = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
    last = await import(urls[name]);
  }
  return last;
}

// One library (three, scene, ruimte, panorama), asked from the kernel the first time.
function library(model, name) {
  cache[name] ??= new Promise((resolve, reject) => {
    const listen = (msg, buffers) => {
      if (msg?.type !== "lib" || msg.name !== name) return;
      model.off("msg:custom", listen);
      const files = msg.files.map((file, i) => ({ name: file, data: buffers[i] }));
      importFiles(files).then(resolve, reject);
    };
    model.on("msg:custom", listen);
    model.send({ type: "lib", name });
  });
  return cache[name];
}

async function render({ model, el }) {
  const kind = model.get("scene").kind;
  el.classList.add("leerpad-xr");
  el.textContent = model.get("labels").loading || "…";
  try {
    const [THREE, shared, view] = await Promise.all([
      library(model, "three"),
      library(model, "scene"),
      library(model, kind),
    ]);
    el.textContent = "";
    return view.render({ model, el, THREE, shared });
  } catch (error) {
    delete cache[kind];
    el.textContent = `${model.get("labels").no_webgl} (${error})`;
  }
}

export default { render };

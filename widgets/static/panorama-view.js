// The {panorama} view: an equirectangular image on the inside of a sphere. Drag, touch or
// arrow keys look around; hotspots are buttons on top of the canvas (Tab reaches each, Enter
// or a click chooses one). Without hotspots the learner chooses a direction: a click on the
// image, or Enter for the middle. The choice goes back to the kernel as the `state` trait.

const DEG = Math.PI / 180;

function element(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

// yaw 0 is the middle of the image, positive to the right; pitch positive up.
export function toVector(THREE, yaw, pitch) {
  return new THREE.Vector3(
    -Math.cos(pitch * DEG) * Math.cos(yaw * DEG),
    Math.sin(pitch * DEG),
    -Math.cos(pitch * DEG) * Math.sin(yaw * DEG),
  );
}

function fromVector(v) {
  const yaw = Math.atan2(-v.z, -v.x) / DEG;
  const pitch = Math.asin(Math.max(-1, Math.min(1, v.y / v.length()))) / DEG;
  return { yaw: Math.round(yaw * 10) / 10, pitch: Math.round(pitch * 10) / 10 };
}

export function render({ model, el, THREE }) {
  const L = model.get("labels");
  const config = model.get("scene");
  const stage = element("div", { class: "leerpad-xr-stage" });
  const help = element("p", { class: "leerpad-xr-help" }, L.help);
  const tools = element("div", { class: "leerpad-xr-tools" });
  el.append(stage, help, tools);
  const view = { yaw: config.start.yaw, pitch: config.start.pitch, fov: 75 };

  let renderer = null;
  try {
    renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  } catch (error) {
    stage.append(element("p", { role: "alert" }, L.no_webgl));
  }
  const scene = new THREE.Scene();
  const camera = new THREE.PerspectiveCamera(view.fov, 16 / 9, 0.1, 1100);
  const geometry = new THREE.SphereGeometry(500, 128, 64);
  geometry.scale(-1, 1, 1); // look at the inside
  const material = new THREE.MeshBasicMaterial({ color: "#ffffff" });
  scene.add(new THREE.Mesh(geometry, material));
  if (config.image) {
    new THREE.TextureLoader().load(config.image, (texture) => {
      texture.colorSpace = THREE.SRGBColorSpace;
      material.map = texture;
      material.needsUpdate = true;
      draw();
    });
  }

  const markers = config.hotspots.map((spot) => {
    const button = element(
      "button",
      { type: "button", class: "leerpad-xr-hotspot", "data-id": spot.id, "aria-pressed": "false",
        "aria-label": L.hotspot.replace("{label}", spot.label) },
      spot.label,
    );
    button.addEventListener("click", () => choose({ hotspot: spot.id, yaw: spot.yaw, pitch: spot.pitch }));
    button.addEventListener("focus", () => {
      // bring the hotspot into view when Tab reaches it
      if (!visible(spot)) Object.assign(view, { yaw: spot.yaw, pitch: spot.pitch });
      draw();
    });
    stage.append(button);
    return { spot, button };
  });

  const choice = element("p", { class: "leerpad-xr-choice", "aria-live": "polite" });
  if (!config.hotspots.length) {
    const here = element("button", { type: "button", "data-action": "choose-here" }, L.choose_here);
    here.addEventListener("click", () => choose({ yaw: round(view.yaw), pitch: round(view.pitch) }));
    tools.append(here);
  }
  tools.append(choice);

  function round(value) {
    return Math.round(value * 10) / 10;
  }

  function choose(state) {
    model.set("state", state);
    model.save_changes();
    show(state);
  }

  function show(state) {
    for (const { spot, button } of markers) {
      button.setAttribute("aria-pressed", String(spot.id === state.hotspot));
    }
    if (state.hotspot) {
      const spot = config.hotspots.find((s) => s.id === state.hotspot);
      choice.textContent = spot ? `${L.chosen}: ${L.hotspot.replace("{label}", spot.label)}` : "";
    } else if (Number.isFinite(state.yaw)) {
      choice.textContent = `${L.chosen}: yaw ${state.yaw}°, pitch ${state.pitch}°`;
    } else {
      choice.textContent = "";
    }
    draw();
  }
  model.on("change:state", () => show(model.get("state")));

  function visible(spot) {
    const v = toVector(THREE, spot.yaw, spot.pitch).project(camera);
    return v.z < 1 && Math.abs(v.x) <= 0.95 && Math.abs(v.y) <= 0.95;
  }

  let frame = 0;
  function draw() {
    if (!renderer || frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const width = Math.max(stage.clientWidth, 280);
      const height = Math.round(width * 9 / 16);
      if (renderer.domElement.width !== Math.round(width * devicePixelRatio)) {
        renderer.setPixelRatio(devicePixelRatio);
        renderer.setSize(width, height);
      }
      view.pitch = Math.max(-85, Math.min(85, view.pitch));
      view.yaw = ((view.yaw + 540) % 360) - 180;
      camera.fov = view.fov;
      camera.aspect = width / height;
      camera.updateProjectionMatrix();
      camera.position.set(0, 0, 0);
      camera.lookAt(toVector(THREE, view.yaw, view.pitch));
      camera.updateMatrixWorld();
      renderer.render(scene, camera);
      for (const { spot, button } of markers) {
        const v = toVector(THREE, spot.yaw, spot.pitch).project(camera);
        const inFront = v.z < 1 && Math.abs(v.x) <= 1 && Math.abs(v.y) <= 1;
        // Off-screen markers stay in the Tab order (focus turns the view to them).
        button.style.opacity = inFront ? "1" : "0";
        button.style.left = `${((v.x + 1) / 2) * width}px`;
        button.style.top = `${((1 - v.y) / 2) * height}px`;
        if (!inFront) button.style.left = "-9999px";
      }
    });
  }

  if (renderer) {
    const canvas = renderer.domElement;
    canvas.setAttribute("tabindex", "0");
    canvas.setAttribute("role", "application");
    canvas.setAttribute("aria-label", L.canvas);
    canvas.classList.add("leerpad-xr-canvas");
    stage.prepend(canvas);
    const pointer = { id: null, x: 0, y: 0, moved: false };
    canvas.addEventListener("pointerdown", (event) => {
      canvas.focus();
      Object.assign(pointer, { id: event.pointerId, x: event.clientX, y: event.clientY, moved: false });
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (pointer.id !== event.pointerId) return;
      const dx = event.clientX - pointer.x;
      const dy = event.clientY - pointer.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) pointer.moved = true;
      const perPixel = view.fov / canvas.clientHeight;
      view.yaw -= dx * perPixel;
      view.pitch += dy * perPixel;
      pointer.x = event.clientX;
      pointer.y = event.clientY;
      draw();
    });
    canvas.addEventListener("pointerup", (event) => {
      if (pointer.id !== event.pointerId) return;
      pointer.id = null;
      if (pointer.moved || config.hotspots.length) return;
      // a click without dragging chooses the spot under the pointer
      const rect = canvas.getBoundingClientRect();
      const ndc = new THREE.Vector2(
        ((event.clientX - rect.left) / rect.width) * 2 - 1,
        -((event.clientY - rect.top) / rect.height) * 2 + 1,
      );
      const ray = new THREE.Raycaster();
      ray.setFromCamera(ndc, camera);
      choose(fromVector(ray.ray.direction));
    });
    canvas.addEventListener("wheel", (event) => {
      event.preventDefault();
      view.fov = Math.max(30, Math.min(100, view.fov + (event.deltaY > 0 ? 5 : -5)));
      draw();
    }, { passive: false });
    canvas.addEventListener("keydown", (event) => {
      const keys = {
        ArrowLeft: () => (view.yaw -= 10),
        ArrowRight: () => (view.yaw += 10),
        ArrowUp: () => (view.pitch += 10),
        ArrowDown: () => (view.pitch -= 10),
        "+": () => (view.fov = Math.max(30, view.fov - 5)),
        "=": () => (view.fov = Math.max(30, view.fov - 5)),
        "-": () => (view.fov = Math.min(100, view.fov + 5)),
        Enter: () => config.hotspots.length || choose({ yaw: round(view.yaw), pitch: round(view.pitch) }),
      };
      if (!keys[event.key]) return;
      event.preventDefault();
      keys[event.key]();
      draw();
    });
    new ResizeObserver(() => draw()).observe(stage);
  }
  show(model.get("state"));
  return () => {
    cancelAnimationFrame(frame);
    renderer?.dispose();
  };
}

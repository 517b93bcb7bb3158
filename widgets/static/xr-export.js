// The exported WebXR page of a {ruimte} scene (widgets/xr_export.py): the scene, a camera
// that starts where the learner put it, "Start VR" (three.js' VRButton) on a headset, and
// on a laptop or tablet a view to look around in with the mouse, touch or arrow keys.

export function start({ THREE, VRButton, shared, scene: data, labels }) {
  let renderer;
  try {
    renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  } catch (error) {
    document.getElementById("xr-help").textContent = labels.no_webgl;
    return;
  }
  renderer.setPixelRatio(devicePixelRatio);
  renderer.setSize(innerWidth, innerHeight);
  renderer.xr.enabled = true;
  renderer.xr.setReferenceSpaceType("local-floor");
  const canvas = renderer.domElement;
  canvas.setAttribute("tabindex", "0");
  canvas.setAttribute("aria-label", labels.help);
  document.body.append(canvas);

  const scene = new THREE.Scene();
  shared.addRoom(THREE, scene);
  scene.add(shared.buildScene(THREE, data));

  // In VR the headset moves the camera: a rig stands on the floor where the learner's camera
  // stood, turned towards what it looked at.
  const camera = new THREE.PerspectiveCamera(60, innerWidth / innerHeight, 0.05, 200);
  const rig = new THREE.Group();
  rig.add(camera);
  scene.add(rig);
  const from = new THREE.Vector3(...data.camera.position);
  const target = new THREE.Vector3(...data.camera.target);
  const orbit = new THREE.Spherical().setFromVector3(from.clone().sub(target));

  function place() {
    if (renderer.xr.isPresenting) return;
    orbit.phi = Math.min(Math.max(orbit.phi, 0.05), Math.PI / 2 - 0.02);
    orbit.radius = Math.min(Math.max(orbit.radius, 1), 60);
    rig.position.set(0, 0, 0);
    rig.rotation.set(0, 0, 0);
    camera.position.copy(target).add(new THREE.Vector3().setFromSpherical(orbit));
    camera.lookAt(target);
  }
  renderer.xr.addEventListener("sessionstart", () => {
    camera.position.set(0, 0, 0);
    camera.rotation.set(0, 0, 0);
    rig.position.set(from.x, 0, from.z);
    rig.rotation.y = Math.atan2(from.x - target.x, from.z - target.z);
  });
  renderer.xr.addEventListener("sessionend", place);

  const pointer = { id: null, x: 0, y: 0 };
  canvas.addEventListener("pointerdown", (event) => {
    Object.assign(pointer, { id: event.pointerId, x: event.clientX, y: event.clientY });
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (pointer.id !== event.pointerId) return;
    orbit.theta -= (event.clientX - pointer.x) * 0.01;
    orbit.phi -= (event.clientY - pointer.y) * 0.01;
    Object.assign(pointer, { x: event.clientX, y: event.clientY });
    place();
  });
  canvas.addEventListener("pointerup", () => (pointer.id = null));
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    orbit.radius *= event.deltaY > 0 ? 1.1 : 0.9;
    place();
  }, { passive: false });
  canvas.addEventListener("keydown", (event) => {
    const keys = {
      ArrowLeft: () => (orbit.theta -= 0.15),
      ArrowRight: () => (orbit.theta += 0.15),
      ArrowUp: () => (orbit.phi -= 0.1),
      ArrowDown: () => (orbit.phi += 0.1),
      "+": () => (orbit.radius *= 0.9),
      "-": () => (orbit.radius *= 1.1),
    };
    if (!keys[event.key]) return;
    event.preventDefault();
    keys[event.key]();
    place();
  });
  addEventListener("resize", () => {
    camera.aspect = innerWidth / innerHeight;
    camera.updateProjectionMatrix();
    renderer.setSize(innerWidth, innerHeight);
  });

  // three.js' VRButton, with its words in Dutch.
  const button = VRButton.createButton(renderer);
  button.id = "xr-button";
  const words = {
    "ENTER VR": labels.enter,
    "EXIT VR": labels.exit,
    "VR NOT SUPPORTED": labels.unsupported,
    "VR NOT ALLOWED": labels.not_allowed,
    "WEBXR NEEDS HTTPS": labels.https,
    "WEBXR NOT AVAILABLE": labels.unsupported,
  };
  const translate = () => {
    const text = button.textContent.trim();
    if (words[text] && text !== words[text]) button.textContent = words[text];
    // readable on the light room (three.js draws white on a nearly transparent button)
    Object.assign(button.style, { background: "rgba(20, 40, 90, 0.9)", opacity: "1", width: "auto", padding: "12px 18px" });
  };
  new MutationObserver(translate).observe(button, { childList: true, characterData: true, subtree: true });
  translate();
  document.body.append(button);

  place();
  renderer.setAnimationLoop(() => renderer.render(scene, camera));
  document.body.dataset.ready = "true";
}

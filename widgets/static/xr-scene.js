// The 3D objects of a {ruimte} scene, built from the scene's plain data: shared by the view
// in the app (ruimte-view.js) and the exported WebXR page. three.js comes in as a parameter,
// so this file imports nothing.

const DEG = Math.PI / 180;

// One object: a primitive of size 1 around its centre (a unit cube at y 0.5 rests on the floor).
export function buildObject(THREE, o) {
  const material = () =>
    new THREE.MeshStandardMaterial({ color: o.color, roughness: 0.7, side: THREE.DoubleSide });
  let object;
  if (o.shape === "pijl") {
    // An arrow of length 1 along +x (rotation 0 points it to +x).
    object = new THREE.Group();
    const shaft = new THREE.Mesh(new THREE.CylinderGeometry(0.06, 0.06, 0.7, 16), material());
    shaft.rotation.z = -Math.PI / 2;
    shaft.position.x = -0.15;
    const tip = new THREE.Mesh(new THREE.ConeGeometry(0.16, 0.3, 24), material());
    tip.rotation.z = -Math.PI / 2;
    tip.position.x = 0.35;
    object.add(shaft, tip);
  } else {
    const geometry = {
      kubus: () => new THREE.BoxGeometry(1, 1, 1),
      balk: () => new THREE.BoxGeometry(1, 1, 1),
      bol: () => new THREE.SphereGeometry(0.5, 32, 16),
      cilinder: () => new THREE.CylinderGeometry(0.5, 0.5, 1, 32),
      kegel: () => new THREE.ConeGeometry(0.5, 1, 32),
      vlak: () => new THREE.PlaneGeometry(1, 1).rotateX(-Math.PI / 2),
    }[o.shape]();
    object = new THREE.Mesh(geometry, material());
  }
  object.userData.id = o.id;
  place(object, o);
  return object;
}

// Position, rotation (degrees, XYZ order as three.js) and scale of an object from its data.
export function place(object, o) {
  object.position.set(...o.position);
  object.rotation.set(o.rotation[0] * DEG, o.rotation[1] * DEG, o.rotation[2] * DEG);
  object.scale.set(...o.scale);
  paint(object, o.color);
}

export function paint(object, color, glow = null) {
  object.traverse((part) => {
    if (!part.material) return;
    part.material.color.set(color);
    if (glow !== null) part.material.emissive.set(glow);
  });
}

// The room every scene stands in: light, a floor grid of 1 m squares, and the axes.
export function addRoom(THREE, scene) {
  scene.background = new THREE.Color("#e8eef5");
  scene.add(new THREE.HemisphereLight("#ffffff", "#8a8f99", 1.6));
  const sun = new THREE.DirectionalLight("#ffffff", 1.8);
  sun.position.set(4, 8, 5);
  scene.add(sun);
  const grid = new THREE.GridHelper(20, 20, "#7a8594", "#c3cad4");
  scene.add(grid);
  const axes = new THREE.AxesHelper(1.5); // x red, y green, z blue
  axes.position.y = 0.002;
  scene.add(axes);
}

// A scene's objects in a group (one Object3D per object, found by id).
export function buildScene(THREE, state) {
  const group = new THREE.Group();
  for (const o of state.objects) group.add(buildObject(THREE, o));
  return group;
}

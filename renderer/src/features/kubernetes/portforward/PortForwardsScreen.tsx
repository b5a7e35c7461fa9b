// The port-forwards of every context (#/kubernetes/port-forwards).
import { PortForwards } from './PortForwards.tsx';

export function PortForwardsScreen() {
  return (
    <section>
      <div className="toolbar">
        <h1>Port-forwards</h1>
      </div>
      <PortForwards />
    </section>
  );
}

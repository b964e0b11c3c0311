import { useEffect, useState } from 'react';
import { captureDrop } from '../../lib/files';
import { useWorkspaceStore } from '../../stores/workspace-store';

/**
 * Files and folders dropped anywhere on the window are imported. The window itself
 * never navigates (main.tsx cancels the default drop everywhere).
 */
export function DropTarget() {
  const [dragging, setDragging] = useState(false);
  const addFiles = useWorkspaceStore((state) => state.addFiles);

  useEffect(() => {
    let depth = 0;
    const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth++;
      setDragging(true);
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = async (event: DragEvent) => {
      depth = 0;
      setDragging(false);
      if (!event.dataTransfer) return;
      const dropped = captureDrop(event.dataTransfer);
      if (dropped.topLevel.length === 0) return;
      await addFiles(dropped);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [addFiles]);

  return dragging ? (
    <div className="drop-overlay" aria-hidden="true">
      Drop certificates, keys or folders to add them
    </div>
  ) : null;
}

"use client";

// The dashed area files are dropped on, with a button for those who pick instead (and for
// keyboards and phones, where nothing is dragged), and optionally one that opens the camera
// (`capture`: shown only where the pointer is a finger, i.e. phones and tablets; elsewhere
// the attribute is ignored and it would only repeat the first button). Inputs are hidden.
import { useRef, useState } from "react";

export function DropZone({ title, hint, button, inputLabel, accept, onFiles, capture, children }: {
  title: string;
  hint: string;
  button: string;
  /** The hidden file input's accessible name. */
  inputLabel: string;
  accept: string;
  onFiles: (files: FileList) => void;
  /** A second button that opens the camera (input capture="environment"). */
  capture?: { button: string; inputLabel: string; accept: string };
  children?: React.ReactNode;
}) {
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const camera = useRef<HTMLInputElement>(null);
  return (
    <div
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        onFiles(e.dataTransfer.files);
      }}
      className={`flex flex-col items-center justify-center gap-3 rounded-xl border-2 border-dashed px-4 py-8 text-center transition-colors sm:px-6 sm:py-10 ${
        dragging ? "border-indigo-500 bg-indigo-50" : "border-slate-300 bg-white"
      }`}
    >
      <p className="text-base font-medium text-slate-800">{title}</p>
      <p className="text-sm text-slate-600">{hint}</p>
      {children}
      <div className="flex flex-wrap justify-center gap-3">
        <button
          type="button"
          onClick={() => input.current?.click()}
          className="min-h-11 rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700"
        >
          {button}
        </button>
        {capture && (
          <button
            type="button"
            onClick={() => camera.current?.click()}
            className="hidden min-h-11 items-center rounded-md border border-indigo-600 bg-white px-4 py-2 text-sm font-medium text-indigo-700 hover:bg-indigo-50 pointer-coarse:inline-flex"
          >
            {capture.button}
          </button>
        )}
      </div>
      <input
        ref={input}
        type="file"
        multiple
        accept={accept}
        className="sr-only"
        tabIndex={-1}
        aria-label={inputLabel}
        data-testid="file-input"
        onChange={(e) => {
          if (e.target.files) onFiles(e.target.files);
          e.target.value = "";
        }}
      />
      {capture && (
        <input
          ref={camera}
          type="file"
          accept={capture.accept}
          capture="environment"
          className="sr-only"
          tabIndex={-1}
          aria-label={capture.inputLabel}
          data-testid="camera-input"
          onChange={(e) => {
            if (e.target.files) onFiles(e.target.files);
            e.target.value = "";
          }}
        />
      )}
    </div>
  );
}

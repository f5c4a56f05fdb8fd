import type { ReactNode } from 'react';

interface FieldProps {
  label: ReactNode;
  htmlFor?: string;
  required?: boolean;
  hint?: ReactNode;
  errors?: string[];
  children: ReactNode;
}

/** A labelled form control with its hint and inline error messages. */
export function Field({ label, htmlFor, required, hint, errors, children }: FieldProps) {
  const invalid = errors && errors.length > 0;
  return (
    <div className={`field ${invalid ? 'invalid' : ''}`}>
      <label htmlFor={htmlFor}>
        {label}
        {required && (
          <span className="req" aria-hidden>
            *
          </span>
        )}
        {hint && <span className="hint">{hint}</span>}
      </label>
      {children}
      {invalid &&
        errors.map((msg, i) => (
          <div key={i} className="error" role="alert">
            {msg}
          </div>
        ))}
    </div>
  );
}

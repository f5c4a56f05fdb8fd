import { useCallback, useMemo, useState } from 'react';
import { initialValues, toParameters, validateAll, type FormErrors, type FormValues, type ParamField } from './schema';

/**
 * State of a generated parameter form: values, which fields were touched, client-side errors
 * (shown once a field was left or a submit was tried) and errors the server sent back.
 */
export function useParameterForm(fields: ParamField[], given?: Record<string, unknown>) {
  const [values, setValues] = useState<FormValues>(() => initialValues(fields, given));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FormErrors>({});

  const clientErrors = useMemo(() => validateAll(fields, values), [fields, values]);

  const visibleErrors = useMemo(() => {
    const out: FormErrors = {};
    for (const f of fields) {
      const mine = (submitted || touched[f.name]) && clientErrors[f.name] ? clientErrors[f.name] : [];
      const theirs = serverErrors[f.name] ?? [];
      if (mine.length || theirs.length) out[f.name] = mine.length ? mine : theirs;
    }
    return out;
  }, [fields, clientErrors, serverErrors, touched, submitted]);

  const setValue = useCallback((name: string, value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    setServerErrors((e) => {
      if (!(name in e)) return e;
      const { [name]: _, ...rest } = e;
      return rest;
    });
  }, []);

  const touch = useCallback((name: string) => setTouched((t) => (t[name] ? t : { ...t, [name]: true })), []);

  /** Resets to the initial values of (new) fields, e.g. after choosing another algorithm. */
  const reset = useCallback((nextFields: ParamField[], nextGiven?: Record<string, unknown>) => {
    setValues(initialValues(nextFields, nextGiven));
    setTouched({});
    setSubmitted(false);
    setServerErrors({});
  }, []);

  /** Marks a submit attempt; true when the values are valid. */
  const check = useCallback(() => {
    setSubmitted(true);
    return Object.keys(clientErrors).length === 0;
  }, [clientErrors]);

  return {
    values,
    errors: visibleErrors,
    setValue,
    touch,
    reset,
    check,
    setServerErrors,
    parameters: () => toParameters(fields, values),
  };
}

export type ParameterForm = ReturnType<typeof useParameterForm>;

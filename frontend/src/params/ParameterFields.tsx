import { Field } from '../components/Field';
import type { ParameterForm } from './useParameterForm';
import { describeField, inputAttributes, type ParamField } from './schema';

interface Props {
  fields: ParamField[];
  form: Pick<ParameterForm, 'values' | 'errors' | 'setValue' | 'touch'>;
  idPrefix?: string;
}

/** One input per declared parameter: selects for enum and bool, number inputs with bounds. */
export function ParameterFields({ fields, form, idPrefix = 'param' }: Props) {
  if (fields.length === 0) return <p className="muted">This algorithm declares no parameters.</p>;
  return (
    <div className="grid-2">
      {fields.map((field) => {
        const id = `${idPrefix}-${field.name}`;
        const value = form.values[field.name] ?? '';
        const common = {
          id,
          name: field.name,
          value,
          'aria-invalid': form.errors[field.name] ? true : undefined,
          onBlur: () => form.touch(field.name),
        };
        let control;
        if (field.type === 'enum' || field.type === 'bool') {
          const options = field.type === 'enum' ? (field.values ?? []).map((v) => [v, v]) : [['true', 'yes'], ['false', 'no']];
          control = (
            <select {...common} required={field.required} onChange={(e) => form.setValue(field.name, e.target.value)}>
              <option value="">{field.required ? 'Choose…' : '(algorithm default)'}</option>
              {options.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          );
        } else {
          control = (
            <input
              {...common}
              {...inputAttributes(field)}
              placeholder={placeholder(field)}
              onChange={(e) => form.setValue(field.name, e.target.value)}
            />
          );
        }
        return (
          <Field
            key={field.name}
            label={field.label ?? field.name}
            htmlFor={id}
            required={field.required}
            hint={describeField(field)}
            errors={form.errors[field.name]}
          >
            {control}
          </Field>
        );
      })}
    </div>
  );
}

function placeholder(field: ParamField): string {
  if (field.type === 'str') return field.name.endsWith('_args') ? 'param1=VALUE,…' : '';
  if (field.required) return '';
  return field.minimum !== undefined ? `default (min ${field.minimum})` : 'default';
}
